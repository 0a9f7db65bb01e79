#include "default_binder.h"

#include <yaml-cpp/yaml.h>

#include "capstan/json.h"

namespace capstan::sched {

Status DefaultBinder::init(Host&, const PluginConfig& config) {
  YAML::Node args;
  try {
    args = YAML::Load(config.argsYaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("DefaultBinder args: malformed YAML: ") + e.what());
  }
  if (args.IsMap() && args.size() > 0)
    return Status::invalidArgument("DefaultBinder args: unknown field \"" + args.begin()->first.as<std::string>() + "\"");
  return {};
}

void* DefaultBinder::queryInterface(std::string_view kind) {
  return kind == BindPlugin::kKind ? static_cast<BindPlugin*>(this) : nullptr;
}

std::string DefaultBinder::bindingRequest(const PodInfo& pod, const std::string& node) {
  std::string out;
  json::Writer w(out);
  w.beginObject();
  w.key("verb"), w.string("create");
  w.key("version"), w.string("v1");
  w.key("resource"), w.string("pods");
  w.key("namespace"), w.string(pod.ns);
  w.key("name"), w.string(pod.name);
  w.key("subresource"), w.string("binding");
  w.key("body");
  w.beginObject();
  w.key("apiVersion"), w.string("v1");
  w.key("kind"), w.string("Binding");
  w.key("metadata");
  w.beginObject();
  w.key("name"), w.string(pod.name);
  w.key("namespace"), w.string(pod.ns);
  w.key("uid"), w.string(pod.uid);
  w.endObject();
  w.key("target");
  w.beginObject();
  w.key("apiVersion"), w.string("v1");
  w.key("kind"), w.string("Node");
  w.key("name"), w.string(node);
  w.endObject();
  w.endObject();
  w.endObject();
  return out;
}

void DefaultBinder::bind(FrameworkHandle& framework, std::span<const BindItem> items, std::span<StageStatus> out) {
  std::string batch = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) batch += ',';
    batch += bindingRequest(*items[i].pod, items[i].nodeName);
  }
  batch += ']';
  std::string answer;
  try {
    answer = framework.apiBatch(batch);
  } catch (const std::exception& e) {
    for (auto& o : out) o = StageStatus::error(e.what());
    return;
  }
  auto doc = json::parse(answer);
  if (!doc.ok() || !doc->isArray() || doc->items().size() != items.size()) {
    for (auto& o : out) o = StageStatus::error("unexpected answer from the API to a binding batch");
    return;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json::Value& a = doc->items()[i];
    std::int64_t code = a["code"].isNumber() ? a["code"].asInt() : 0;
    if (code == 201 || code == 200) {
      out[i] = {};
      continue;
    }
    const json::Value& message = a["body"]["message"];
    out[i] = StageStatus::error(message.isString() ? message.asString() : "binding failed with HTTP " + std::to_string(code));
  }
}

}  // namespace capstan::sched
