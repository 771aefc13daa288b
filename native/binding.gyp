{
  "targets": [
    {
      "target_name": "hardtimeout",
      "sources": [
        "src/addon.cc",
        "src/registry.cc",
        "src/watchdog.cc",
        "src/interrupt.cc",
        "src/signals.cc",
        "src/proc.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    }
  ]
}
