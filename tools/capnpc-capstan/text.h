#pragma once
// String helpers for the generator: identifier case conversion, C++ and JSON literals,
// doc-comment cleanup, and an indenting code buffer.

#include <string>
#include <string_view>
#include <vector>

namespace capnpc_capstan {

// "podSpec" -> "PodSpec" (Cap'n Proto's accessor and group type naming).
std::string upperFirst(std::string_view s);
// "PodSpec" -> "podSpec".
std::string lowerFirst(std::string_view s);
// "succeededAll" -> "SUCCEEDED_ALL" (Cap'n Proto's enumerant and union tag naming).
std::string upperSnake(std::string_view s);
// A C++ string literal: "a\"b\n".
std::string cppString(std::string_view s);
// A JSON string: "a\"b\n".
std::string jsonString(std::string_view s);
// A Cap'n Proto doc comment as one description: lines joined with spaces, blank lines kept
// as paragraph breaks, list items ("- x") kept on their own lines.
std::string cleanDocComment(std::string_view doc);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Generated code, written line by line with the current indentation.
class Code {
 public:
  Code& operator()(std::string_view line);  // one line (empty: a blank line)
  void indent() { depth_ += 1; }
  void dedent() { depth_ -= 1; }
  void raw(std::string_view text) { out_ += text; }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
  int depth_ = 0;
};

}  // namespace capnpc_capstan
