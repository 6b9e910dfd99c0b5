#include "pipeline/campaign/slurm_site.h"

#include <regex>

#include "pipeline/base/error.h"
#include "pipeline/campaign/json_path.h"
#include "pipeline/io/json_file.h"

namespace mu::campaign {

namespace {

std::vector<std::string> stringList(const JsonPath& node) {
  if (!node.value().is_array()) node.fail("expected a list of strings");
  std::vector<std::string> items;
  for (size_t i = 0; i < node.size(); ++i) items.push_back(node[i].string());
  return items;
}

}  // namespace

SlurmSite readSlurmSite(const std::string& path) {
  const nlohmann::json document = readJsonFile(path);
  const JsonPath root(document, path);
  root.requireKeys({"partition", "account", "qos", "sbatch_flags", "modules", "environment",
                    "gpu_flag", "throttle", "signal_seconds", "cpus_per_node", "gpus_per_node"});
  SlurmSite site;
  if (root.has("partition")) site.partition = root["partition"].string();
  if (root.has("account")) site.account = root["account"].string();
  if (root.has("qos")) site.qos = root["qos"].string();
  if (root.has("sbatch_flags")) {
    site.sbatchFlags = stringList(root["sbatch_flags"]);
    for (size_t i = 0; i < site.sbatchFlags.size(); ++i) {
      if (site.sbatchFlags[i].rfind("--", 0) != 0) {
        root["sbatch_flags"][i].fail("expected one long option such as --constraint=a100");
      }
    }
  }
  if (root.has("modules")) site.modules = stringList(root["modules"]);
  if (root.has("environment")) {
    const JsonPath environment = root["environment"];
    environment.requireObject();
    static const std::regex name("^[A-Za-z_][A-Za-z0-9_]*$");
    for (const auto& item : environment.value().items()) {
      if (!std::regex_match(item.key(), name)) environment[item.key()].fail("not a variable name");
      site.environment[item.key()] = environment[item.key()].string();
    }
  }
  if (root.has("gpu_flag")) {
    site.gpuFlag = root["gpu_flag"].string();
    if (site.gpuFlag.find("{gpus}") == std::string::npos || site.gpuFlag.rfind("--", 0) != 0) {
      root["gpu_flag"].fail("expected a long option containing {gpus}, e.g. --gres=gpu:{gpus}");
    }
  }
  if (root.has("throttle")) site.throttle = root["throttle"].integer(0, 100000);
  if (root.has("signal_seconds")) site.signalSeconds = root["signal_seconds"].integer(0, 65535);
  if (root.has("cpus_per_node")) site.cpusPerNode = root["cpus_per_node"].integer(0, 1 << 20);
  if (root.has("gpus_per_node")) site.gpusPerNode = root["gpus_per_node"].integer(0, 1024);
  return site;
}

void checkSiteLimits(const CampaignSpec& spec, const SlurmSite& site) {
  for (const auto& [stage, resources] : spec.resources) {
    if (stage > spec.lastStage) continue;
    const std::string key = "resources." + stageName(stage);
    // Every task runs on one node: its ranks and their threads must fit into one.
    if (site.cpusPerNode > 0 && resources.ranks * resources.threads > site.cpusPerNode) {
      throw InputError(spec.file, key + ".ranks",
                       "ranks x threads = " + std::to_string(resources.ranks * resources.threads) +
                           " CPUs, but a node of this site has " +
                           std::to_string(site.cpusPerNode));
    }
    if (resources.gpus > 0 && resources.gpus > site.gpusPerNode) {
      throw InputError(spec.file, key + ".gpus",
                       std::to_string(resources.gpus) + " GPUs, but a node of this site has " +
                           std::to_string(site.gpusPerNode) + " (site file: gpus_per_node)");
    }
  }
}

}  // namespace mu::campaign
