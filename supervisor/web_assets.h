// The page (supervisor/web/: index.html, app.js, style.css), built into the
// binary at compile time (embed_web.cmake), so a clean build serves it with
// no data directory to find.
#pragma once

#include <string_view>

namespace gradcap {

struct WebAsset {
  std::string_view path;  // "/index.html"
  std::string_view content_type;
  std::string_view body;
};

// nullptr when there is no such file.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace gradcap
