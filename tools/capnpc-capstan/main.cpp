// capnpc-capstan: a Cap'n Proto compiler plugin generating, from the annotated Kubernetes
// schemas of plugin-api/schema/k8s, JSON codecs, schema tables, the kind registry and the
// OpenAPI documents (see plugin-api/capstan/k8s/codec.h for the generated API).
//
//   capnp compile -I<schema dir> --src-prefix=<schema dir>
//       -oc++:<out> -o<path>/capnpc-capstan:<out> k8s/*.capnp
//
// writes, for every requested file F.capnp but annotations.capnp, F.codec.h and
// F.codec.cpp next to capnp's F.capnp.h, and registry.cpp in the first file's directory.
// Files are only rewritten when their content changes (Ninja's restat skips rebuilds).

#include <capnp/serialize.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "emit.h"
#include "model.h"

namespace {

bool writeIfChanged(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::stringstream existing;
      existing << in.rdbuf();
      if (existing.str() == content) return true;
    }
  }
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    std::cerr << "capnpc-capstan: cannot write " << path << "\n";
    return false;
  }
  return true;
}

int run() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = 1ull << 40;
  options.nestingLimit = 1024;
  capnp::StreamFdMessageReader message(STDIN_FILENO, options);
  auto request = message.getRoot<capnp::schema::CodeGeneratorRequest>();
  capnpc_capstan::Model model(request);
  for (const auto& w : model.warnings) std::cerr << "capnpc-capstan: warning: " << w << "\n";

  bool ok = true;
  std::string registryDir;
  bool haveDir = false;
  for (const auto& file : model.files) {
    if (!file->generate) continue;
    if (!haveDir) {
      auto slash = file->stem.rfind('/');
      registryDir = slash == std::string::npos ? std::string() : file->stem.substr(0, slash);
      haveDir = true;
    }
    if (file->ns.empty())
      std::cerr << "capnpc-capstan: warning: " << file->filename << " has no $Cxx.namespace\n";
    ok &= writeIfChanged(file->stem + ".codec.h", capnpc_capstan::codecHeader(model, *file));
    ok &= writeIfChanged(file->stem + ".codec.cpp", capnpc_capstan::codecSource(model, *file));
  }
  ok &= writeIfChanged(registryDir.empty() ? "registry.cpp" : registryDir + "/registry.cpp",
                       capnpc_capstan::registrySource(model, registryDir));
  return ok ? 0 : 1;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::cerr << "capnpc-capstan: " << e.what() << "\n";
    return 1;
  } catch (const kj::Exception& e) {
    std::cerr << "capnpc-capstan: " << e.getDescription().cStr() << "\n";
    return 1;
  }
}
