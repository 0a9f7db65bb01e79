#include "text.h"

#include <cstdio>

namespace capnpc_capstan {

std::string upperFirst(std::string_view s) {
  std::string r(s);
  if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = static_cast<char>(r[0] - 'a' + 'A');
  return r;
}

std::string lowerFirst(std::string_view s) {
  std::string r(s);
  if (!r.empty() && r[0] >= 'A' && r[0] <= 'Z') r[0] = static_cast<char>(r[0] - 'A' + 'a');
  return r;
}

std::string upperSnake(std::string_view s) {
  std::string r;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') {
      r += '_';
      r += c;
    } else if (c >= 'a' && c <= 'z') {
      r += static_cast<char>(c - 'a' + 'A');
    } else {
      r += c;
    }
  }
  return r;
}

namespace {

void escapeInto(std::string& out, std::string_view s, bool json) {
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, json ? "\\u%04x" : "\\%03o", c);
          out += buf;
        } else if (!json && c == '?') {
          out += "\\?";  // no trigraphs
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

}  // namespace

std::string cppString(std::string_view s) {
  std::string r = "\"";
  escapeInto(r, s, false);
  r += '"';
  return r;
}

std::string jsonString(std::string_view s) {
  std::string r = "\"";
  escapeInto(r, s, true);
  r += '"';
  return r;
}

std::string cleanDocComment(std::string_view doc) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= doc.size()) {
    size_t end = doc.find('\n', start);
    if (end == std::string_view::npos) end = doc.size();
    std::string_view line = doc.substr(start, end - start);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    lines.emplace_back(line);
    start = end + 1;
  }
  std::string out;
  bool blank = false;
  for (const auto& line : lines) {
    if (line.empty()) {
      blank = !out.empty();
      continue;
    }
    if (!out.empty()) {
      bool item = line.rfind("- ", 0) == 0 || line.rfind("* ", 0) == 0;
      out += blank ? "\n\n" : item ? "\n" : " ";
    }
    blank = false;
    out += line;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string r;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) r += sep;
    r += parts[i];
  }
  return r;
}

Code& Code::operator()(std::string_view line) {
  if (!line.empty()) out_.append(static_cast<size_t>(depth_) * 2, ' ');
  out_ += line;
  out_ += '\n';
  return *this;
}

}  // namespace capnpc_capstan
