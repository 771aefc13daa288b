{
  "targets": [
    {
      "target_name": "hardtimeout",
      "sources": [
        "src/addon.cc",
        "src/registry.cc",
        "src/watchdog.cc",
        "src/interrupt.cc",
        "src/json.cc"
      ],
      "conditions": [
        ["OS=='linux'", {
          "sources": ["src/linux/proc.cc", "src/linux/signals.cc", "src/linux/thread.cc"]
        }, {
          "sources": ["src/stub/platform.cc"]
        }]
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
      }
    }
  ]
}
