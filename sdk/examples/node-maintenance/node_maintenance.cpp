// NodeMaintenance: a custom Filter plugin. Nodes labelled example.com/maintenance=true are
// filtered out, unless the pod tolerates it with the label example.com/maintenance-ok=true.
// Failing nodes are counted in the pod's message like Kubernetes' own reasons:
//   0/3 nodes are available: 1 node(s) are under maintenance, 2 Insufficient cpu.
//
//   - name: NodeMaintenance
//     path: /path/to/node-maintenance.so

#include <capstan/plugin.h>
#include <capstan/scheduler.h>

namespace {

using namespace capstan;
using namespace capstan::sched;

// NodeFilter (capstan/scheduler.h) runs filterNode() per node of each chunk and keeps the
// reason texts in its ReasonTable.
class NodeMaintenance final : public Plugin, public NodeFilter {
 public:
  Status init(Host&, const PluginConfig&) override { return {}; }
  void* queryInterface(std::string_view kind) override {
    return kind == FilterPlugin::kKind ? static_cast<FilterPlugin*>(this) : nullptr;
  }

 protected:
  NodeVerdict filterNode(CycleContext&, const PodInfo& pod, const NodeInfo& node) override {
    const std::string* maintenance = findLabel(node.labels, "example.com/maintenance");
    if (!maintenance || *maintenance != "true") return {};
    const std::string* ok = findLabel(pod.labels, "example.com/maintenance-ok");
    if (ok && *ok == "true") return {};
    // Unschedulable: a label change on the node could help. (sched::Code: capstan::Code is
    // the kernel's Status code, a different thing.)
    return reject(sched::Code::kUnschedulable, "node(s) are under maintenance");
  }
};

}  // namespace

CAPSTAN_PLUGIN(NodeMaintenance, "NodeMaintenance", "1.0.0", "scheduler.filter",
               "Keeps pods off nodes under maintenance")
