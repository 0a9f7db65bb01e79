// capstan: the control-plane host. A host is the kernel plus a config file.

#include <iostream>
#include <string>

#include <boost/program_options.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "kernel/config.h"
#include "kernel/kernel.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  // Before any thread exists: signals are taken by the kernel's event loop.
  capstan::kernel::captureSignals();

  capstan::kernel::KernelOptions options;
  options.programPath = argv[0];
  po::options_description desc("capstan: a microkernel Kubernetes-style control plane\n\nOptions");
  desc.add_options()("help,h", "show this help")("version", "print the version")(
      "config,c", po::value<std::string>(&options.configPath), "config file (default: the embedded defaults)")(
      "data-dir,d", po::value<std::string>(&options.dataDirOverride), "data directory (overrides dataDir)")(
      "log-level", po::value<std::string>(&options.logLevelOverride),
      "trace, debug, info, warn, error, critical or off (overrides logLevel)")(
      "print-default-config", "print the embedded default config and exit");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "capstan: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "capstan " << CAPSTAN_VERSION << "\n";
    return 0;
  }
  if (vm.count("print-default-config")) {
    std::cout << capstan::kernel::embeddedDefaultConfig();
    return 0;
  }
  if (!options.logLevelOverride.empty() &&
      spdlog::level::from_str(options.logLevelOverride) == spdlog::level::off && options.logLevelOverride != "off") {
    std::cerr << "capstan: --log-level " << options.logLevelOverride
              << " is not one of trace, debug, info, warn, error, critical, off\n";
    return 2;
  }
  // One logger registry for the kernel and every plugin (each plugin's logger is a clone
  // named after its instance); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("capstan"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
  return capstan::kernel::runKernel(options);
}
