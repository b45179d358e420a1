#include "kernel_source.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace vnpu::ascendc_cc {
namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The source with comments, string and character literals blanked to spaces (newlines
// kept): positions and lines match the original, and nothing inside them is mistaken for
// code.
std::string code_only(const std::string& s) {
  std::string out = s;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto blank = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < n; ++k)
      if (out[k] != '\n') out[k] = ' ';
  };
  while (i < n) {
    const char c = s[i];
    if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      std::size_t e = s.find('\n', i);
      if (e == std::string::npos) e = n;
      blank(i, e);
      i = e;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      std::size_t e = s.find("*/", i + 2);
      e = e == std::string::npos ? n : e + 2;
      blank(i, e);
      i = e;
    } else if (c == 'R' && i + 1 < n && s[i + 1] == '"' && (i == 0 || !ident_char(s[i - 1]))) {
      // A raw string R"delim( ... )delim".
      const std::size_t open = s.find('(', i + 2);
      if (open == std::string::npos) break;
      const std::string close = ")" + s.substr(i + 2, open - i - 2) + "\"";
      std::size_t e = s.find(close, open);
      e = e == std::string::npos ? n : e + close.size();
      blank(i + 1, e);
      i = e;
    } else if (c == '"' || (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(s[i - 1])) != 0 &&
                                          i + 1 < n && std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0))) {
      // A string or character literal (a ' between digits is a digit separator).
      std::size_t e = i + 1;
      while (e < n && s[e] != c && s[e] != '\n') e += s[e] == '\\' ? 2 : 1;
      blank(i + 1, e);
      i = e + 1;
    } else {
      ++i;
    }
  }
  return out;
}

int line_of(const std::string& s, std::size_t pos) {
  return 1 + static_cast<int>(std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(std::min(pos, s.size())), '\n'));
}

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])) != 0) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0) --e;
  return s.substr(b, e - b);
}

// The position just past the bracket matching the one at `open` in `code` ('(' or '<' ...),
// or npos.
std::size_t match_forward(const std::string& code, std::size_t open, char o, char c) {
  int depth = 0;
  for (std::size_t i = open; i < code.size(); ++i) {
    if (code[i] == o) ++depth;
    if (code[i] == c && --depth == 0) return i + 1;
  }
  return std::string::npos;
}

// The start of the callee expression that ends just before `end` (exclusive): an
// identifier with optional `::` qualifiers and template arguments; npos if none.
std::size_t callee_start(const std::string& code, std::size_t end) {
  std::size_t i = end;
  while (i > 0 && std::isspace(static_cast<unsigned char>(code[i - 1])) != 0) --i;
  for (;;) {
    if (i > 0 && code[i - 1] == '>') {  // template arguments: back to the matching '<'
      int depth = 0;
      std::size_t k = i;
      while (k > 0) {
        --k;
        if (code[k] == '>') ++depth;
        if (code[k] == '<' && --depth == 0) break;
      }
      if (depth != 0) return std::string::npos;
      i = k;
      while (i > 0 && std::isspace(static_cast<unsigned char>(code[i - 1])) != 0) --i;
    }
    const std::size_t id_end = i;
    while (i > 0 && ident_char(code[i - 1])) --i;
    if (i == id_end || std::isdigit(static_cast<unsigned char>(code[i])) != 0) return std::string::npos;
    if (i >= 2 && code[i - 1] == ':' && code[i - 2] == ':') {
      i -= 2;
      continue;
    }
    return i;
  }
}

// Splits `list` at its top-level commas (outside (), <>, [], {}).
std::vector<std::string> split_top(const std::string& list) {
  std::vector<std::string> parts;
  int depth = 0;
  std::size_t from = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (c == '(' || c == '<' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == '>' || c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(list.substr(from, i - from));
      from = i + 1;
    }
  }
  if (!trim(list).empty()) parts.push_back(list.substr(from));
  return parts;
}

// The launcher's type for a parameter of type `type`.
std::string launcher_type(const std::string& type) {
  static const std::set<std::string> kScalars = {
      "bool",     "char",     "signed char", "unsigned char", "short",    "unsigned short", "int",      "unsigned",
      "unsigned int", "long", "unsigned long", "long long",   "unsigned long long", "float", "double",   "int8_t",
      "uint8_t",  "int16_t",  "uint16_t",    "int32_t",       "uint32_t", "int64_t",        "uint64_t", "size_t",
      "std::int8_t", "std::uint8_t", "std::int16_t", "std::uint16_t", "std::int32_t", "std::uint32_t",
      "std::int64_t", "std::uint64_t", "std::size_t"};
  if (type.find('*') != std::string::npos || type.find("GM_ADDR") != std::string::npos ||
      type.find("__gm__") != std::string::npos)
    return "void*";
  std::string t = " " + type + " ";
  for (const char* q : {" const ", " volatile "}) {
    for (std::size_t p; (p = t.find(q)) != std::string::npos;) t.replace(p, std::string(q).size(), " ");
  }
  t = trim(t);
  if (kScalars.count(t) != 0) return t;
  return "const void*";  // a struct passed by value: its host address, copied at the launch
}

// Parses "type name" (no default arguments in kernels).
bool parse_param(const std::string& text, Param* out) {
  const std::string p = trim(text);
  std::size_t e = p.size();
  while (e > 0 && std::isspace(static_cast<unsigned char>(p[e - 1])) != 0) --e;
  std::size_t b = e;
  while (b > 0 && ident_char(p[b - 1])) --b;
  if (b == e || b == 0) return false;
  out->name = p.substr(b, e - b);
  out->type = trim(p.substr(0, b));
  if (out->type.empty()) return false;
  out->launcher_type = launcher_type(out->type);
  return true;
}

void find_kernels(const std::string& code, Scan& scan) {
  for (std::size_t pos = code.find("__global__"); pos != std::string::npos; pos = code.find("__global__", pos + 10)) {
    if ((pos > 0 && ident_char(code[pos - 1])) || (pos + 10 < code.size() && ident_char(code[pos + 10]))) continue;
    const std::size_t paren = code.find('(', pos);
    if (paren == std::string::npos) continue;
    const std::string head = code.substr(pos, paren - pos);
    if (head.find("__aicore__") == std::string::npos || head.find(';') != std::string::npos) continue;
    // The statement's start: after the previous ';', '}' or '{' (or a preprocessor line).
    std::size_t start = code.find_last_of(";{}", pos);
    start = start == std::string::npos ? 0 : start + 1;
    const std::string before = code.substr(start, pos - start);
    const bool is_template = before.find("template") != std::string::npos;
    std::size_t name_end = paren;
    while (name_end > pos && std::isspace(static_cast<unsigned char>(code[name_end - 1])) != 0) --name_end;
    std::size_t name_begin = name_end;
    while (name_begin > pos && ident_char(code[name_begin - 1])) --name_begin;
    const std::size_t close = match_forward(code, paren, '(', ')');
    if (close == std::string::npos) continue;
    std::size_t after = close;
    while (after < code.size() && std::isspace(static_cast<unsigned char>(code[after])) != 0) ++after;
    if (after >= code.size() || code[after] != '{' || is_template) continue;  // a declaration, or a template
    Kernel k;
    k.name = code.substr(name_begin, name_end - name_begin);
    k.line = line_of(code, pos);
    const std::string params = code.substr(paren + 1, close - paren - 2);
    bool ok = true;
    for (const std::string& text : split_top(params)) {
      if (trim(text) == "void") continue;
      Param p;
      if (!parse_param(text, &p)) {
        ok = false;
        break;
      }
      k.params.push_back(std::move(p));
    }
    if (!ok) {
      if (scan.error.empty())
        scan.error = std::to_string(k.line) + ": error: cannot read the parameters of kernel " + k.name;
      continue;
    }
    scan.kernels.push_back(std::move(k));
  }
}

}  // namespace

Scan scan_source(const std::string& source) {
  Scan scan;
  const std::string code = code_only(source);
  find_kernels(code, scan);
  // Rewrite the launches from the last to the first, so earlier positions stay valid.
  std::vector<std::size_t> opens;
  for (std::size_t p = code.find("<<<"); p != std::string::npos; p = code.find("<<<", p + 3)) opens.push_back(p);
  std::string out = source;
  std::string work = code;
  for (auto it = opens.rbegin(); it != opens.rend(); ++it) {
    const std::size_t open = *it;
    const int line = line_of(code, open);
    const std::size_t close = work.find(">>>", open + 3);
    if (close == std::string::npos) {
      scan.error = std::to_string(line) + ": error: <<< without >>>";
      return scan;
    }
    const std::size_t begin = callee_start(work, open);
    if (begin == std::string::npos) {
      scan.error = std::to_string(line) + ": error: no kernel name before <<<";
      return scan;
    }
    std::size_t callee_end = open;
    while (callee_end > begin && std::isspace(static_cast<unsigned char>(work[callee_end - 1])) != 0) --callee_end;
    const std::string callee = out.substr(begin, callee_end - begin);
    const std::vector<std::string> values = split_top(out.substr(open + 3, close - open - 3));
    if (values.size() != 3) {
      scan.error = std::to_string(line) + ": error: " + callee + "<<<...>>> takes 3 values (blockDim, l2ctrl or " +
                   "dynamic UB size, stream), not " + std::to_string(values.size());
      return scan;
    }
    std::string quoted;
    for (const char c : callee)
      if (!std::isspace(static_cast<unsigned char>(c))) quoted += c == '"' ? '\'' : c;
    std::string replacement = "::vnpu::ascendc::chevron(" + callee + ", \"" + quoted + "\",";
    for (std::size_t v = 0; v < 3; ++v) replacement += values[v] + (v < 2 ? "," : ")");
    // Keep the line count: the values may span lines.
    const std::string old = out.substr(begin, close + 3 - begin);
    const auto newlines = std::count(old.begin(), old.end(), '\n') -
                          std::count(replacement.begin(), replacement.end(), '\n');
    replacement.append(static_cast<std::size_t>(std::max<std::ptrdiff_t>(newlines, 0)), '\n');
    out.replace(begin, close + 3 - begin, replacement);
    work.replace(begin, close + 3 - begin, std::string(replacement.size(), ' '));
    ++scan.launches;
  }
  scan.rewritten = std::move(out);
  return scan;
}

std::string launcher_header(const Kernel& k, const std::string& source_name) {
  std::string guard = "VNPU_ACLRTLAUNCH_" + k.name + "_H";
  std::transform(guard.begin(), guard.end(), guard.begin(), [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  std::string h;
  h += "// aclrtlaunch_" + k.name + ".h — generated by vnpu-cc from " + source_name + ".\n";
  h += "// ACLRT_LAUNCH_KERNEL(" + k.name + ")(blockDim, stream, ...) queues the kernel on the stream and\n";
  h += "// returns at once: 0, or the aclError of a launch that could not be queued.\n";
  h += "#ifndef " + guard + "\n#define " + guard + "\n\n#include <stdint.h>\n\n#include \"acl/acl_base.h\"\n\n";
  h += "#ifndef ACLRT_LAUNCH_KERNEL\n#define ACLRT_LAUNCH_KERNEL(kernel) aclrtlaunch_##kernel\n#endif\n\n";
  h += "#ifdef __cplusplus\nextern \"C\"\n#endif\n";
  h += "uint32_t aclrtlaunch_" + k.name + "(uint32_t blockDim, aclrtStream stream";
  for (const Param& p : k.params) h += ", " + p.launcher_type + " " + p.name;
  h += ");\n\n#endif\n";
  return h;
}

std::string launcher_unit(const std::vector<Kernel>& kernels, const std::string& include_path) {
  std::string u;
  u += "// Generated by vnpu-cc: the kernel source and the launchers of its kernels.\n";
  u += "#include \"" + include_path + "\"\n\n#include \"vnpu_ascendc/launch.h\"\n";
  for (const Kernel& k : kernels) u += "#include \"aclrtlaunch_" + k.name + ".h\"\n";
  for (const Kernel& k : kernels) {
    u += "\nextern \"C\" uint32_t aclrtlaunch_" + k.name + "(uint32_t blockDim, aclrtStream stream";
    for (const Param& p : k.params) u += ", " + p.launcher_type + " " + p.name;
    u += ") {\n  return ::vnpu::ascendc::launch_kernel(\"" + k.name + "\", &" + k.name + ", blockDim, stream";
    for (const Param& p : k.params) u += ", " + p.name;
    u += ");\n}\n";
  }
  return u;
}

}  // namespace vnpu::ascendc_cc
