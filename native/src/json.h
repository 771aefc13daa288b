// The one JSON helper the addon needs: its reports are built as strings.
#pragma once

#include <string>

namespace ht {

std::string JsonString(const std::string& s);  // s as a quoted, escaped JSON string

}  // namespace ht
