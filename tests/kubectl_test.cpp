// Real kubectl against a real capstan with the kube-api plugin: what a user types and
// reads. kubectl 1.32 is the main client, 1.30 the older one (different discovery and
// OpenAPI paths, JSON instead of protobuf request bodies).

#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "support/cluster.h"

using namespace capstan::testing;
namespace fs = std::filesystem;

namespace {

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
)";

const char* kService = R"(apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  selector:
    app.kubernetes.io/name: MyApp
  ports:
    - protocol: TCP
      port: 80
      targetPort: 9376
)";

}  // namespace

TEST_CASE("kubectl version, namespaces, api-resources and api-versions") {
  Cluster c;
  auto version = c.kubectl({"version"});
  REQUIRE_OK(version);
  CHECK(contains(version.out, "Server Version: v1.32.0"));

  auto ns = c.kubectl({"get", "ns"});
  REQUIRE_OK(ns);
  CHECK(contains(ns.out, "NAME"));
  CHECK(contains(ns.out, "STATUS"));
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) CHECK(contains(ns.out, name));
  CHECK(contains(ns.out, "Active"));

  auto resources = c.kubectl({"api-resources"});
  REQUIRE_OK(resources);
  CHECK(contains(resources.out, "SHORTNAMES"));
  for (const char* line : {"pods", "deployments", "configmaps", "leases", "priorityclasses", "cronjobs"})
    CHECK(contains(resources.out, line));

  auto versions = c.kubectl({"api-versions"});
  REQUIRE_OK(versions);
  CHECK(contains(versions.out, "apps/v1"));
  CHECK(contains(versions.out, "batch/v1"));
  CHECK(contains(versions.out, "\nv1\n"));
}

TEST_CASE("kubectl apply, get in every output format, and apply again") {
  Cluster c;
  std::string file = c.write("deploy.yaml", kDeployment);
  auto applied = c.kubectl({"apply", "-f", file});
  REQUIRE_OK(applied);
  CHECK(contains(applied.out, "deployment.apps/nginx-deployment created"));

  auto wide = c.kubectl({"get", "deployments", "-o", "wide"});
  REQUIRE_OK(wide);
  CHECK(contains(wide.out, "READY"));
  CHECK(contains(wide.out, "nginx-deployment"));
  CHECK(contains(wide.out, "nginx:1.14.2"));

  // Defaulting, as Kubernetes does it.
  auto yaml = c.kubectl({"get", "deploy", "nginx-deployment", "-o", "yaml"});
  REQUIRE_OK(yaml);
  CHECK(contains(yaml.out, "type: RollingUpdate"));
  CHECK(contains(yaml.out, "maxSurge: 25%"));
  CHECK(contains(yaml.out, "revisionHistoryLimit: 10"));
  CHECK(contains(yaml.out, "restartPolicy: Always"));
  CHECK(contains(yaml.out, "terminationGracePeriodSeconds: 30"));
  CHECK(contains(yaml.out, "protocol: TCP"));
  CHECK(contains(yaml.out, "generation: 1"));

  auto jsonpath = c.kubectl({"get", "deploy", "nginx-deployment", "-o", "jsonpath={.spec.replicas}"});
  REQUIRE_OK(jsonpath);
  CHECK(jsonpath.out == "3");

  auto name = c.kubectl({"get", "deploy", "-o", "name"});
  REQUIRE_OK(name);
  CHECK(name.out == "deployment.apps/nginx-deployment\n");

  auto columns = c.kubectl({"get", "deploy", "-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image"});
  REQUIRE_OK(columns);
  CHECK(contains(columns.out, "nginx-deployment   nginx:1.14.2"));

  // A second apply with a change: a strategic merge patch; generation moves on.
  std::string changed = kDeployment;
  changed.replace(changed.find("replicas: 3"), 11, "replicas: 5");
  changed.replace(changed.find("nginx:1.14.2"), 12, "nginx:1.16.1");
  c.write("deploy.yaml", changed);
  auto again = c.kubectl({"apply", "-f", file});
  REQUIRE_OK(again);
  CHECK(contains(again.out, "deployment.apps/nginx-deployment configured"));
  auto after = c.kubectl({"get", "deploy", "nginx-deployment", "-o",
                          "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.generation}"});
  REQUIRE_OK(after);
  CHECK(after.out == "5 nginx:1.16.1 2");

  auto unchanged = c.kubectl({"apply", "-f", file});
  REQUIRE_OK(unchanged);
  CHECK(contains(unchanged.out, "deployment.apps/nginx-deployment unchanged"));

  // Removing a field from the manifest removes it from the object (three-way merge).
  std::string removed = changed;
  const std::string portsBlock = "        ports:\n        - containerPort: 80\n";
  removed.replace(removed.find(portsBlock), portsBlock.size(), "");
  c.write("deploy.yaml", removed);
  REQUIRE_OK(c.kubectl({"apply", "-f", file}));
  auto ports = c.kubectl({"get", "deploy", "nginx-deployment", "-o", "jsonpath={.spec.template.spec.containers[0].ports}"});
  REQUIRE_OK(ports);
  CHECK(ports.out.empty());

  auto sorted = c.kubectl({"get", "ns", "--sort-by=.metadata.name", "-o", "name"});
  REQUIRE_OK(sorted);
  CHECK(sorted.out == "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n");

  auto asJson = c.kubectl({"get", "deploy", "nginx-deployment", "-o", "json"});
  REQUIRE_OK(asJson);
  CHECK(contains(asJson.out, "\"kind\": \"Deployment\""));
  CHECK(contains(asJson.out, "\"replicas\": 5"));

  auto describe = c.kubectl({"describe", "deployment", "nginx-deployment"});
  REQUIRE_OK(describe);
  CHECK(contains(describe.out, "Name:                   nginx-deployment"));
  CHECK(contains(describe.out, "Replicas:               5 desired | 0 updated | 0 total | 0 available | 0 unavailable"));
  CHECK(contains(describe.out, "RollingUpdateStrategy:  25% max unavailable, 25% max surge"));

  auto allNs = c.kubectl({"get", "deploy", "-A"});
  REQUIRE_OK(allNs);
  CHECK(contains(allNs.out, "NAMESPACE"));
  CHECK(contains(allNs.out, "default     nginx-deployment"));

  auto deleted = c.kubectl({"delete", "-f", file});
  REQUIRE_OK(deleted);
  CHECK(contains(deleted.out, "deployment.apps \"nginx-deployment\" deleted"));
  CHECK(c.kubectl({"get", "deploy", "nginx-deployment"}).exitCode != 0);
}

TEST_CASE("kubectl reports Kubernetes' errors") {
  Cluster c;
  auto missing = c.kubectl({"get", "pod", "nope"});
  CHECK(missing.exitCode != 0);
  CHECK(contains(missing.err, "Error from server (NotFound): pods \"nope\" not found"));

  std::string bad = kDeployment;
  bad.replace(bad.find("replicas: 3"), 11, "replicas: -1");
  auto invalid = c.kubectl({"apply", "-f", c.write("bad.yaml", bad)});
  CHECK(invalid.exitCode != 0);
  CHECK(contains(invalid.err, "spec.replicas: Invalid value: -1: must be greater than or equal to 0"));

  std::string unknown = kDeployment;
  unknown.replace(unknown.find("  replicas: 3"), 13, "  replicas: 3\n  replicaz: 4");
  auto strict = c.kubectl({"apply", "-f", c.write("unknown.yaml", unknown)});
  CHECK(strict.exitCode != 0);
  CHECK(contains(strict.err, "unknown field \"spec.replicaz\""));

  auto lenient = c.kubectl({"apply", "--validate=false", "-f", c.write("unknown.yaml", unknown)});
  REQUIRE_OK(lenient);

  REQUIRE_OK(c.kubectl({"create", "configmap", "dup", "--from-literal=a=b"}));
  auto dup = c.kubectl({"create", "configmap", "dup", "--from-literal=a=b"});
  CHECK(dup.exitCode != 0);
  CHECK(contains(dup.err, "configmaps \"dup\" already exists"));

  auto noNs = c.kubectl({"create", "configmap", "x", "-n", "nowhere", "--from-literal=a=b"});
  CHECK(noNs.exitCode != 0);
  CHECK(contains(noNs.err, "namespaces \"nowhere\" not found"));
}

TEST_CASE("kubectl create, label, annotate, patch, scale, edit and delete") {
  Cluster c;
  REQUIRE_OK(c.kubectl({"create", "namespace", "demo"}));
  REQUIRE_OK(c.kubectl({"create", "configmap", "cfg", "-n", "demo", "--from-literal=color=blue"}));
  auto cm = c.kubectl({"get", "cm", "cfg", "-n", "demo", "-o", "jsonpath={.data.color}"});
  REQUIRE_OK(cm);
  CHECK(cm.out == "blue");

  REQUIRE_OK(c.kubectl({"create", "secret", "generic", "pw", "-n", "demo", "--from-literal=password=s3cret"}));
  auto secret = c.kubectl({"get", "secret", "pw", "-n", "demo", "-o", "jsonpath={.data.password}"});
  REQUIRE_OK(secret);
  CHECK(secret.out == "czNjcmV0");

  REQUIRE_OK(c.kubectl({"create", "deployment", "web", "-n", "demo", "--image=nginx", "--replicas=2"}));
  auto label = c.kubectl({"label", "deployment", "web", "-n", "demo", "tier=frontend"});
  REQUIRE_OK(label);
  CHECK(contains(label.out, "deployment.apps/web labeled"));
  auto annotate = c.kubectl({"annotate", "deployment", "web", "-n", "demo", "owner=team-a"});
  REQUIRE_OK(annotate);
  CHECK(contains(annotate.out, "deployment.apps/web annotated"));

  auto byLabel = c.kubectl({"get", "deploy", "-n", "demo", "-l", "tier=frontend", "-o", "name"});
  REQUIRE_OK(byLabel);
  CHECK(byLabel.out == "deployment.apps/web\n");
  auto noneByLabel = c.kubectl({"get", "deploy", "-n", "demo", "-l", "tier=backend"});
  REQUIRE_OK(noneByLabel);
  CHECK(contains(noneByLabel.err, "No resources found in demo namespace."));

  REQUIRE_OK(c.kubectl({"patch", "deployment", "web", "-n", "demo", "--type=merge", "-p", R"({"spec":{"minReadySeconds":5}})"}));
  REQUIRE_OK(c.kubectl({"patch", "deployment", "web", "-n", "demo", "--type=json", "-p",
                        R"([{"op":"replace","path":"/spec/revisionHistoryLimit","value":3}])"}));
  auto smp = c.kubectl({"patch", "deployment", "web", "-n", "demo", "-p",
                        R"({"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}}})"});
  REQUIRE_OK(smp);
  CHECK(contains(smp.out, "deployment.apps/web patched"));
  auto patched = c.kubectl({"get", "deploy", "web", "-n", "demo", "-o",
                            "jsonpath={.spec.minReadySeconds} {.spec.revisionHistoryLimit} "
                            "{.spec.template.spec.containers[0].image} {.metadata.annotations.owner}"});
  REQUIRE_OK(patched);
  CHECK(patched.out == "5 3 nginx:1.25 team-a");

  auto scale = c.kubectl({"scale", "deployment", "web", "-n", "demo", "--replicas=4"});
  REQUIRE_OK(scale);
  CHECK(contains(scale.out, "deployment.apps/web scaled"));
  auto replicas = c.kubectl({"get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.spec.replicas}"});
  CHECK(replicas.out == "4");

  // A non-interactive editor: sed rewrites the image in the file kubectl hands it.
  auto edit = c.kubectl({"edit", "deployment", "web", "-n", "demo"}, "",
                        {"KUBE_EDITOR=sed -i s/nginx:1.25/nginx:1.26/"});
  REQUIRE_OK(edit);
  CHECK(contains(edit.out, "deployment.apps/web edited"));
  auto edited = c.kubectl({"get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.spec.template.spec.containers[0].image}"});
  CHECK(edited.out == "nginx:1.26");

  auto del = c.kubectl({"delete", "configmap", "cfg", "-n", "demo"});
  REQUIRE_OK(del);
  CHECK(contains(del.out, "configmap \"cfg\" deleted"));
  auto byLabelDelete = c.kubectl({"delete", "deploy", "-n", "demo", "-l", "tier=frontend"});
  REQUIRE_OK(byLabelDelete);
  CHECK(contains(byLabelDelete.out, "deployment.apps \"web\" deleted"));

  auto nsDelete = c.kubectl({"delete", "namespace", "demo", "--wait=true", "--timeout=60s"});
  REQUIRE_OK(nsDelete);
  auto gone = c.kubectl({"get", "ns", "demo"});
  CHECK(gone.exitCode != 0);
  CHECK(contains(gone.err, "namespaces \"demo\" not found"));
}

TEST_CASE("kubectl get -w streams changes, wait and field selectors") {
  Cluster c;
  Process watch(c.kubectlArgv({"get", "configmaps", "-w", "--output-watch-events"}), {"HOME=" + c.dir()});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  REQUIRE_OK(c.kubectl({"create", "configmap", "w1", "--from-literal=a=b"}));
  CHECK(watch.waitForOutput("w1", 20));
  REQUIRE_OK(c.kubectl({"delete", "configmap", "w1"}));
  CHECK(watch.waitForOutput("DELETED", 20));
  watch.stop();
  CHECK(contains(watch.out(), "ADDED"));

  REQUIRE_OK(c.kubectl({"create", "configmap", "w2", "--from-literal=a=b"}));
  Process waiter(c.kubectlArgv({"wait", "--for=delete", "configmap/w2", "--timeout=60s"}), {"HOME=" + c.dir()});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE_OK(c.kubectl({"delete", "configmap", "w2", "--wait=false"}));
  CHECK(waiter.waitForOutput("configmap/w2 condition met", 30));

  REQUIRE_OK(c.kubectl({"apply", "-f", c.write("deploy.yaml", kDeployment)}));
  auto waitJsonpath = c.kubectl({"wait", "--for=jsonpath={.spec.replicas}=3", "deployment/nginx-deployment", "--timeout=30s"});
  REQUIRE_OK(waitJsonpath);
  CHECK(contains(waitJsonpath.out, "deployment.apps/nginx-deployment condition met"));

  auto byField = c.kubectl({"get", "ns", "--field-selector", "metadata.name=kube-system", "-o", "name"});
  REQUIRE_OK(byField);
  CHECK(byField.out == "namespace/kube-system\n");
  auto all = c.kubectl({"get", "cm", "-A", "--field-selector", "metadata.namespace!=default", "-o", "name"});
  REQUIRE_OK(all);
}

TEST_CASE("kubectl explain, diff, server-side apply and dry run") {
  Cluster c;
  auto explain = c.kubectl({"explain", "deployment.spec.replicas"});
  REQUIRE_OK(explain);
  CHECK(contains(explain.out, "KIND:"));
  CHECK(contains(explain.out, "Deployment"));
  CHECK(contains(explain.out, "replicas"));

  std::string file = c.write("svc.yaml", kService);
  auto dry = c.kubectl({"apply", "--dry-run=server", "-f", file});
  REQUIRE_OK(dry);
  CHECK(contains(dry.out, "service/my-service created (server dry run)"));
  CHECK(c.kubectl({"get", "svc", "my-service"}).exitCode != 0);

  auto ssa = c.kubectl({"apply", "--server-side", "-f", file});
  REQUIRE_OK(ssa);
  CHECK(contains(ssa.out, "service/my-service serverside-applied"));
  auto svc = c.kubectl({"get", "svc", "my-service", "-o", "jsonpath={.spec.ports[0].targetPort} {.spec.type}"});
  REQUIRE_OK(svc);
  CHECK(svc.out == "9376 ClusterIP");
  auto table = c.kubectl({"get", "svc", "my-service"});
  REQUIRE_OK(table);
  CHECK(contains(table.out, "CLUSTER-IP"));
  CHECK(contains(table.out, "127.32."));
  CHECK(contains(table.out, "80/TCP"));
  auto managers = c.kubectl({"get", "svc", "my-service", "--show-managed-fields", "-o",
                             "jsonpath={.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}"});
  CHECK(managers.out == "kubectl Apply");

  // Re-applying with a changed port replaces the item this manager owns (not a merge).
  std::string moved = kService;
  moved.replace(moved.find("port: 80"), 8, "port: 8080");
  REQUIRE_OK(c.kubectl({"apply", "--server-side", "-f", c.write("svc.yaml", moved)}));
  auto ports = c.kubectl({"get", "svc", "my-service", "-o", "jsonpath={.spec.ports[*].port}"});
  CHECK(ports.out == "8080");

  // Another manager setting the same field differently conflicts, unless it forces.
  std::string other = moved;
  other.replace(other.find("targetPort: 9376"), 16, "targetPort: 9999");
  c.write("other.yaml", other);
  auto conflict = c.kubectl({"apply", "--server-side", "--field-manager=team-b", "-f", c.dir() + "/other.yaml"});
  CHECK(conflict.exitCode != 0);
  CHECK(contains(conflict.err, "Apply failed with 1 conflict: conflict with \"kubectl\""));
  CHECK(contains(conflict.err, ".spec.ports[port=8080,protocol=\"TCP\"].targetPort"));
  REQUIRE_OK(c.kubectl({"apply", "--server-side", "--field-manager=team-b", "--force-conflicts", "-f",
                        c.dir() + "/other.yaml"}));
  auto target = c.kubectl({"get", "svc", "my-service", "-o", "jsonpath={.spec.ports[0].targetPort}"});
  CHECK(target.out == "9999");

  // kubectl diff: a server-side dry run of the change, shown as a unified diff.
  std::string cfile = c.write("cfg.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: blue\n");
  REQUIRE_OK(c.kubectl({"apply", "-f", cfile}));
  c.write("cfg.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: green\n");
  auto diff = c.kubectl({"diff", "-f", cfile});
  INFO(diff.err);
  CHECK(diff.exitCode == 1);  // kubectl diff: 1 means "differences found"
  CHECK(contains(diff.out, "-  mode: blue"));
  CHECK(contains(diff.out, "+  mode: green"));
  auto still = c.kubectl({"get", "cm", "settings", "-o", "jsonpath={.data.mode}"});
  CHECK(still.out == "blue");
}

TEST_CASE("kubectl 1.30 as an older client") {
  Cluster c("30");
  auto version = c.kubectl({"version"});
  REQUIRE_OK(version);
  CHECK(contains(version.out, "Client Version: v1.30"));
  REQUIRE_OK(c.kubectl({"create", "namespace", "old"}));
  auto applied = c.kubectl({"apply", "-n", "old", "-f", c.write("deploy.yaml", kDeployment)});
  REQUIRE_OK(applied);
  CHECK(contains(applied.out, "deployment.apps/nginx-deployment created"));
  auto got = c.kubectl({"get", "deploy", "-n", "old"});
  REQUIRE_OK(got);
  CHECK(contains(got.out, "nginx-deployment"));
}
