// mu-campaign: spec errors name their key path, manifest hashes are pinned, shared stages appear
// once, a root's manifest keeps every spec's tasks, generated sbatch scripts quote hostile values,
// the report's mean ± std are exact, and the local runner runs a tiny train + prune campaign to the
// end, also after an interruption, and runs on past a task that diverged (exit 3).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include "pipeline/base/error.h"
#include "pipeline/campaign/manifest.h"
#include "pipeline/campaign/report.h"
#include "pipeline/campaign/shell_quote.h"
#include "pipeline/campaign/slurm_plan.h"
#include "pipeline/campaign/slurm_script.h"
#include "pipeline/campaign/task_state.h"
#include "pipeline/io/text_file.h"
#include "tests/support/stage_fixture.h"
#include "tests/support/test_support.h"

namespace mu::campaign {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What the stage programs accept, asked of the built programs (as mu-campaign does).
const Catalogue& programs() {
  static const Catalogue catalogue = Catalogue::fromPrograms(MU_BIN_DIR);
  return catalogue;
}

std::string methodList() {
  std::string names;
  for (const UnlearningMethodInfo& method : programs().methods()) {
    names += (names.empty() ? "" : ", ") + method.name;
  }
  return names;
}

// Two seeds, dense and OMP, two methods: every stage appears and sharing is visible.
json fixedSpec() {
  return json::parse(R"({
    "name": "pinned",
    "grid": {"datasets": ["fashion-mnist"], "archs": ["resnet20s"],
             "sparsities": ["dense", {"omp": 0.95}], "forget": [{"class": 0}],
             "methods": ["retrain", {"name": "ft", "options": {"ft-epochs": 2}}],
             "seeds": [1, 2]},
    "options": {"train": {"epochs": 3, "milestones": [2]}},
    "resources": {"default": {"ranks": 2, "threads": 1, "time": "00:30:00"}}
  })");
}

// The InputError message of parsing `spec` after `edit`.
template <typename Edit>
std::string specError(Edit edit) {
  json spec = fixedSpec();
  edit(spec);
  try {
    parseSpec(spec, "spec.json", programs());
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(CampaignSpec, ErrorsNameTheKeyPath) {
  EXPECT_EQ(specError([](json& s) { s["grid"]["methods"].push_back("magic"); }),
            "spec.json: grid.methods[2]: unknown method 'magic' (known: " + methodList() + ")");
  EXPECT_EQ(specError([](json& s) { s["grid"]["methods"][1]["name"] = "fft"; }).substr(0, 48),
            "spec.json: grid.methods[1].name: unknown method ");
  EXPECT_NE(specError([](json& s) { s["grdi"] = 1; }).find("spec.json: grdi: unknown key"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["grid"]["datasets"][0] = "places365";
            }).find("grid.datasets[0]: unknown dataset 'places365'"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["grid"]["archs"][0] = "resnet1000";
            }).find("grid.archs[0]: unknown arch"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["grid"]["sparsities"][1] = {{"lth", 0.9}};
            }).find("grid.sparsities[1].lth: unknown key"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["grid"]["seeds"] = json::array();
            }).find("grid.seeds: an empty list"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["grid"]["seeds"] = {1, 1};
            }).find("grid.seeds[1]: duplicate"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["resources"]["train"] = {{"ranks", 0}};
            }).find("resources.train.ranks: expected an integer in [1, 4096], got 0"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["resources"]["default"]["time"] = "30 minutes";
            }).find("resources.default.time: expected a positive time limit"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["resources"]["train"] = {{"ranks", 1}, {"gpus", 2}};
            }).find("resources.train: one rank per GPU: ranks (1) must equal gpus (2)"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["options"]["train"]["run-dir"] = "/elsewhere";
            }).find("options.train.run-dir: set by the campaign"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["options"]["train"]["--lr"] = 1;
            }).find("options.train.--lr: option names"),
            std::string::npos);
  // Options are the stage programs' own, values from their closed lists, and a method's options
  // its own (mu-unlearn would accept another method's and ignore it).
  EXPECT_NE(specError([](json& s) {
              s["options"]["train"]["lr-sched"] = "cosine";
            }).find("options.train.lr-sched: mu-train has no option --lr-sched"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["options"]["train"]["lr-schedule"] = "linear";
            }).find("options.train.lr-schedule: expected one of multistep, cosine, constant"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["grid"]["methods"][1]["options"] = {{"ga-epochs", 2}};
            }).find("grid.methods[1].options.ga-epochs: an option of method ga, not of ft"),
            std::string::npos);
}

TEST(CampaignSpec, CommandLineRefusesABadSpecWithExitCode2) {
  test::ScratchDir dir("campaign-bad-spec");
  json spec = fixedSpec();
  spec["grid"]["methods"][1]["name"] = "fft";
  std::ofstream(dir.file("spec.json")) << spec.dump();
  const test::CommandResult run =
      test::runCommand(test::programPath("mu-campaign") + " expand " + dir.file("spec.json") +
                       " --root " + dir.file("root"));
  EXPECT_EQ(run.exitCode, 2) << run.output;
  EXPECT_NE(run.output.find("grid.methods[1].name: unknown method 'fft'"), std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(dir.file("root"))) << "nothing may be written for a bad spec";
}

TEST(CampaignManifest, HashesArePinnedAndIndependentOfPaths) {
  const CampaignSpec spec = parseSpec(fixedSpec(), "spec.json", programs());
  const Manifest a = expand(spec, "/root-a", "/bin-a");
  const Manifest b = expand(spec, "/elsewhere/root-b", "/bin-b");
  ASSERT_EQ(a.tasks.size(), b.tasks.size());
  for (size_t i = 0; i < a.tasks.size(); ++i) EXPECT_EQ(a.tasks[i].hash, b.tasks[i].hash);
  // Pinned: a change here moves every campaign's run folders (rerunning would start over).
  EXPECT_EQ(a.tasks[0].id(), "data/7672edf3930c6f36");
  EXPECT_EQ(a.tasks[1].id(), "train/cc4e2d7c181ece8b");
  EXPECT_EQ(a.tasks[3].id(), "prune/98fb9ad993111f6c");
  EXPECT_EQ(a.tasks[5].id(), "unlearn/5fb6cb9e2b681314");
  EXPECT_EQ(a.tasks.back().id(), "evaluate/f2fa49f872c33082");
  EXPECT_EQ(a.tasks[1].runDir, "/root-a/train/" + a.tasks[1].hash);
}

TEST(CampaignManifest, GpuTasksRunOnCudaWithoutChangingTheirHash) {
  json withGpus = fixedSpec();
  withGpus["resources"]["unlearn"] = {{"ranks", 2}, {"gpus", 2}};
  const Manifest cpu = expand(parseSpec(fixedSpec(), "spec.json", programs()), "/r", "/b");
  const Manifest gpu = expand(parseSpec(withGpus, "spec.json", programs()), "/r", "/b");
  ASSERT_EQ(cpu.tasks.size(), gpu.tasks.size());
  for (size_t i = 0; i < gpu.tasks.size(); ++i) {
    const Task& task = gpu.tasks[i];
    EXPECT_EQ(task.hash, cpu.tasks[i].hash) << "the device is not part of what a task computes";
    std::string command;
    for (const std::string& word : task.command) command += word + " ";
    const bool onGpu = task.stage == Stage::Unlearn;
    EXPECT_EQ(command.find("--device cuda") != std::string::npos, onGpu) << command;
    EXPECT_EQ(task.resources.gpus, onGpu ? 2 : 0);
  }
}

TEST(CampaignManifest, SharedStagesAppearOnce) {
  const CampaignSpec spec = parseSpec(fixedSpec(), "spec.json", programs());
  const Manifest manifest = expand(spec, "/r", "/b");
  std::map<Stage, int> count;
  for (const Task& task : manifest.tasks) ++count[task.stage];
  EXPECT_EQ(count[Stage::Data], 1);
  EXPECT_EQ(count[Stage::Train], 2);    // one per seed
  EXPECT_EQ(count[Stage::Prune], 2);    // one per seed and sparsity
  EXPECT_EQ(count[Stage::Unlearn], 8);  // 2 seeds x 2 sparsities x 2 methods
  EXPECT_EQ(count[Stage::Evaluate], 8);
  for (const Task& train : manifest.tasks) {
    if (train.stage != Stage::Train) continue;
    // Its own prune task and the dense unlearning tasks of its seed, nothing else.
    const std::vector<const Task*> children = manifest.children(train);
    ASSERT_EQ(children.size(), 3u);
    for (const Task* child : children) EXPECT_EQ(child->labels["seed"], train.labels["seed"]);
  }
  const Task& evaluate = manifest.tasks.back();
  EXPECT_EQ(evaluate.runDir, manifest.byHash(evaluate.parents.front()).runDir);
}

TEST(CampaignManifest, SeveralForgottenClassesReachTheCommandAndTheLabel) {
  json spec = fixedSpec();
  spec["grid"]["forget"] = json::parse(R"([{"class": [1, 4]}, {"class": 1}])");
  const CampaignSpec parsed = parseSpec(spec, "spec.json", programs());
  ASSERT_EQ(parsed.forget.size(), 2u);
  EXPECT_EQ(parsed.forget[0].label(), "class-1+4");
  EXPECT_EQ(parsed.forget[1].label(), "class-1");
  std::set<std::string> arguments;
  for (const Task& task : expand(parsed, "/r", "/b").tasks) {
    if (task.stage != Stage::Unlearn) continue;
    const auto flag = std::find(task.command.begin(), task.command.end(), "--forget-class");
    ASSERT_NE(flag, task.command.end());
    arguments.insert(*(flag + 1));
  }
  EXPECT_EQ(arguments, (std::set<std::string>{"1,4", "1"}));
  EXPECT_NE(specError([](json& s) {
              s["grid"]["forget"] = json::parse(R"([{"class": [2, 2]}])");
            }).find("grid.forget[0].class[1]"),
            std::string::npos);
}

TEST(CampaignManifest, APoisonedForgetSetReachesTheCommandWithThePoisoning) {
  json spec = fixedSpec();
  spec["grid"]["forget"] = json::parse(R"(["poisoned"])");
  spec["options"]["train"]["poison-count"] = 600;
  spec["options"]["train"]["trigger-value"] = 255;
  const CampaignSpec parsed = parseSpec(spec, "spec.json", programs());
  ASSERT_EQ(parsed.forget.size(), 1u);
  EXPECT_EQ(parsed.forget[0].label(), "poisoned");
  const auto has = [](const Task& task, const std::string& word) {
    return std::find(task.command.begin(), task.command.end(), word) != task.command.end();
  };
  int unlearnTasks = 0;
  for (const Task& task : expand(parsed, "/r", "/b").tasks) {
    // Pruning retrains on the poisoned set as training did; unlearning reads the poisoning from
    // the original model and is told only to forget it.
    if (task.stage == Stage::Train || task.stage == Stage::Prune) {
      EXPECT_TRUE(has(task, "--poison-count")) << stageName(task.stage);
    }
    if (task.stage != Stage::Unlearn) continue;
    ++unlearnTasks;
    const auto forget = std::find(task.command.begin(), task.command.end(), "--forget");
    ASSERT_NE(forget, task.command.end());
    EXPECT_EQ(*(forget + 1), "poisoned");
    EXPECT_FALSE(has(task, "--forget-class") || has(task, "--forget-count"));
    EXPECT_FALSE(has(task, "--poison-count"));
    EXPECT_EQ(task.labels.at("forget"), "poisoned");
  }
  EXPECT_EQ(unlearnTasks, 8);  // 2 seeds x 2 sparsities x 2 methods
  EXPECT_NE(specError([](json& s) {
              s["grid"]["forget"] = json::parse(R"(["poison"])");
            }).find("grid.forget[0]"),
            std::string::npos);
}

TEST(CampaignManifest, ASweptMethodNamesEachSettingBriefly) {
  json spec = fixedSpec();
  spec["grid"]["methods"] = json::parse(R"([
    {"name": "iu", "options": {"iu-alpha": 1, "iu-woodfisher-samples": 500}},
    {"name": "iu", "options": {"iu-alpha": 0.01, "iu-woodfisher-samples": 500}},
    {"name": "iu", "options": {"iu-woodfisher-samples": 500}},
    {"name": "ft", "options": {"ft-epochs": 2}}])");
  const CampaignSpec parsed = parseSpec(spec, "spec.json", programs());
  ASSERT_EQ(parsed.methods.size(), 4u);
  EXPECT_EQ(parsed.methods[0].setting, "iu-alpha 1");
  EXPECT_EQ(parsed.methods[1].setting, "iu-alpha 0.01");
  EXPECT_EQ(parsed.methods[2].setting, "defaults");
  EXPECT_EQ(parsed.methods[3].setting, "") << "a method taken once needs no setting";
  std::set<std::string> settings;
  for (const Task& task : expand(parsed, "/r", "/b").tasks) {
    if (task.stage == Stage::Unlearn && task.labels.contains("setting")) {
      settings.insert(task.labels["setting"].get<std::string>());
    }
  }
  EXPECT_EQ(settings, (std::set<std::string>{"iu-alpha 1", "iu-alpha 0.01", "defaults"}));
}

TEST(CampaignManifest, TheReferenceProtocolTrainsOneOriginalAndVariesTheUnlearningSeed) {
  const auto count = [](const Manifest& manifest, Stage stage) {
    return std::count_if(manifest.tasks.begin(), manifest.tasks.end(),
                         [&](const Task& task) { return task.stage == stage; });
  };
  json spec = fixedSpec();  // seeds 1 and 2, dense and OMP, two methods
  spec["protocol"] = "reference";
  const Manifest reference = expand(parseSpec(spec, "spec.json", programs()), "/r", "/b");
  EXPECT_EQ(count(reference, Stage::Train), 1);
  EXPECT_EQ(count(reference, Stage::Prune), 1);
  EXPECT_EQ(count(reference, Stage::Unlearn), 8);
  std::set<int64_t> seeds;
  for (const Task& task : reference.tasks) {
    if (task.stage == Stage::Train) {
      const auto trainSeed = std::find(task.command.begin(), task.command.end(), "--train-seed");
      EXPECT_EQ(*(trainSeed + 1), "1") << "the first seed's model";
    }
    if (task.stage != Stage::Unlearn) continue;
    const auto protocol = std::find(task.command.begin(), task.command.end(), "--protocol");
    ASSERT_NE(protocol, task.command.end());
    EXPECT_EQ(*(protocol + 1), "reference");
    EXPECT_EQ(task.labels.at("protocol"), "reference");
    seeds.insert(task.labels.at("seed").get<int64_t>());
  }
  EXPECT_EQ(seeds, (std::set<int64_t>{1, 2})) << "trials vary the unlearning seed";

  // "trials" overrides the protocol's default; the clean protocol's tasks keep their hashes.
  spec["trials"] = "retrain-per-seed";
  EXPECT_EQ(count(expand(parseSpec(spec, "spec.json", programs()), "/r", "/b"), Stage::Train), 2);
  json clean = fixedSpec();
  clean["protocol"] = "clean";
  const Manifest explicitClean = expand(parseSpec(clean, "spec.json", programs()), "/r", "/b");
  const Manifest implicitClean =
      expand(parseSpec(fixedSpec(), "spec.json", programs()), "/r", "/b");
  ASSERT_EQ(explicitClean.tasks.size(), implicitClean.tasks.size());
  for (size_t i = 0; i < explicitClean.tasks.size(); ++i) {
    EXPECT_EQ(explicitClean.tasks[i].hash, implicitClean.tasks[i].hash);
  }
  EXPECT_NE(specError([](json& s) { s["protocol"] = "paper"; }).find("protocol"),
            std::string::npos);
  EXPECT_NE(specError([](json& s) {
              s["options"]["unlearn"]["protocol"] = "reference";
            }).find("set by the campaign"),
            std::string::npos);
}

TEST(CampaignManifest, ARootKeepsTheTasksOfEverySpecExpandedIntoIt) {
  test::ScratchDir dir("campaign-manifest-merge");
  const std::string root = dir.path();
  json otherSeeds = fixedSpec();
  otherSeeds["grid"]["seeds"] = {2, 3};  // seed 2 and the data task are shared with the first
  const Manifest first = expand(parseSpec(fixedSpec(), "spec.json", programs()), root, "/b");
  const Manifest second = expand(parseSpec(otherSeeds, "other.json", programs()), root, "/b");
  std::set<std::string> expected;
  for (const Task& task : first.tasks) expected.insert(task.id());
  for (const Task& task : second.tasks) expected.insert(task.id());
  ASSERT_LT(expected.size(), first.tasks.size() + second.tasks.size()) << "nothing shared";

  writeManifestFile(first, root);
  writeManifestFile(second, root);
  writeManifestFile(second, root);  // expanding again adds nothing
  const Manifest merged = readManifestFile(root);
  std::set<std::string> seen;
  for (const Task& task : merged.tasks) {
    EXPECT_TRUE(seen.insert(task.id()).second) << task.id() << " twice";
    for (const std::string& parent : task.parents) {
      EXPECT_TRUE(seen.count(merged.byHash(parent).id()))
          << task.id() << " comes before its parent " << parent;
    }
  }
  EXPECT_EQ(seen, expected);
  // The latest spec's tasks lead, as it wrote them; the first spec's own ones follow.
  for (size_t i = 0; i < second.tasks.size(); ++i) {
    EXPECT_EQ(merged.tasks[i].id(), second.tasks[i].id());
    EXPECT_EQ(merged.toJson(merged.tasks[i]), second.toJson(second.tasks[i]));
  }

  // A manifest this version cannot read is replaced, not a reason to refuse the spec at hand.
  std::ofstream(root + "/manifest.jsonl", std::ios::app) << "{\"stage\": \"train\"}\n";
  EXPECT_THROW(readManifestFile(root), InputError);
  writeManifestFile(first, root);
  EXPECT_EQ(readManifestFile(root).tasks.size(), first.tasks.size());
}

// fixedSpec on classes 0-4 of Fashion-MNIST, every model then fitted to classes 5-9.
json transferSpec() {
  json spec = fixedSpec();
  spec["grid"]["datasets"] = json::parse(R"([{"format": "fashion-mnist",
                                              "options": {"classes": "0-4"}}])");
  spec["grid"]["forget"] = json::parse(R"([{"class": [1, 3]}])");
  spec["transfer"] = json::parse(R"({"dataset": {"format": "fashion-mnist",
                                                 "options": {"classes": "5-9"}},
                                     "modes": ["linear-probe", "fine-tune"]})");
  spec["options"]["transfer"] = json::parse(R"({"epochs": 2, "masks": "drop"})");
  return spec;
}

TEST(CampaignManifest, TransfersFollowEveryModelAndEveryUnlearningRun) {
  const Manifest manifest = expand(parseSpec(transferSpec(), "spec.json", programs()), "/r", "/b");
  std::map<Stage, int> count;
  std::map<std::string, const Task*> byHash;
  for (const Task& task : manifest.tasks) {
    ++count[task.stage];
    byHash[task.hash] = &task;
  }
  // 2 seeds x (dense, OMP) = 4 models, 2 methods each = 8 unlearning runs; 12 sources x 2 modes.
  EXPECT_EQ(count[Stage::Data], 2);
  EXPECT_EQ(count[Stage::Unlearn], 8);
  EXPECT_EQ(count[Stage::Transfer], 24);
  std::map<std::string, int> bySource;
  for (const Task& task : manifest.tasks) {
    if (task.stage != Stage::Transfer) continue;
    ASSERT_EQ(task.parents.size(), 2u);
    const Task& source = *byHash.at(task.parents[0]);
    const Task& target = *byHash.at(task.parents[1]);
    EXPECT_EQ(target.stage, Stage::Data);
    EXPECT_EQ(target.labels["dataset"], "fashion-mnist[5-9]");
    EXPECT_EQ(task.labels["dataset"], "fashion-mnist[0-4]");  // the source's, as its rows
    EXPECT_EQ(task.labels["transfer_of"], stageName(source.stage));
    ++bySource[stageName(source.stage)];
    const std::string checkpoint = source.stage == Stage::Unlearn ? source.runDir + "/unlearned.h5"
                                   : source.stage == Stage::Prune
                                       ? source.runDir + "/round-1/best.h5"
                                       : source.runDir + "/best.h5";
    const std::vector<std::string> head{
        "/b/mu-transfer", "--from",      checkpoint,
        "--data",         target.runDir, "--run-dir",
        task.runDir,      "--mode",      task.labels["transfer_mode"].get<std::string>()};
    EXPECT_TRUE(std::equal(head.begin(), head.end(), task.command.begin()))
        << shellJoin(task.command);
    const std::string line = shellJoin(task.command);
    EXPECT_NE(line.find("--epochs 2 --masks drop"), std::string::npos) << line;
    const std::string seed = std::to_string(source.labels["seed"].get<int64_t>());
    EXPECT_NE(line.find("--train-seed " + seed + " --seed " + seed), std::string::npos) << line;
  }
  EXPECT_EQ(bySource, (std::map<std::string, int>{{"train", 4}, {"prune", 4}, {"unlearn", 16}}));

  // Without a "transfer" section, or stopping before it, there is none.
  json plain = transferSpec();
  plain["stop_after"] = "evaluate";
  for (const Task& task : expand(parseSpec(plain, "spec.json", programs()), "/r", "/b").tasks) {
    EXPECT_NE(task.stage, Stage::Transfer);
  }
  EXPECT_NE(specError([](json& s) {
              s["transfer"] = json::parse(R"({"dataset": "fashion-mnist", "modes": ["probe"]})");
            }).find("transfer.modes[0]"),
            std::string::npos);
  EXPECT_NE(
      specError([](json& s) { s["transfer"] = json::parse(R"({"modes": []})"); }).find("transfer"),
      std::string::npos);
}

TEST(CampaignSlurm, ArraysFollowEachTasksOwnParent) {
  const CampaignSpec spec = parseSpec(fixedSpec(), "spec.json", programs());
  const Manifest manifest = expand(spec, "/r", "/b");
  std::vector<const Task*> all;
  for (const Task& task : manifest.tasks) all.push_back(&task);
  const std::vector<SlurmArray> arrays = planArrays(manifest, all);
  // data; train (2 seeds); prune per train task; unlearn per model; evaluate mirrors unlearn.
  std::vector<std::string> names;
  for (const SlurmArray& array : arrays) names.push_back(array.name);
  EXPECT_EQ(names, (std::vector<std::string>{"data-0", "train-0", "prune-0", "prune-1", "unlearn-0",
                                             "unlearn-1", "unlearn-2", "unlearn-3", "evaluate-0",
                                             "evaluate-1", "evaluate-2", "evaluate-3"}));
  EXPECT_EQ(dependencyFlag(arrays[3], "41"), "afterok:41_1");  // seed 2's prune: train task 1
  EXPECT_EQ(dependencyFlag(arrays[8], "50"), "aftercorr:50");
  EXPECT_EQ(arrayRange(arrays[4], 4), "0-1%4");
}

TEST(CampaignSlurm, TransferArraysMirrorTheirSourcesAndWaitForTheTargetData) {
  const Manifest manifest = expand(parseSpec(transferSpec(), "spec.json", programs()), "/r", "/b");
  std::vector<const Task*> all;
  for (const Task& task : manifest.tasks) all.push_back(&task);
  const std::vector<SlurmArray> arrays = planArrays(manifest, all);
  std::vector<std::string> jobIds;
  for (const SlurmArray& array : arrays) jobIds.push_back("$" + array.name);
  int transferArrays = 0;
  for (const SlurmArray& array : arrays) {
    if (array.stage != Stage::Transfer) continue;
    ++transferArrays;
    ASSERT_GE(array.dependsOn, 0);
    const SlurmArray& parent = arrays[static_cast<size_t>(array.dependsOn)];
    // One array per source array and mode, index for index: aftercorr, plus the target data.
    EXPECT_EQ(array.parentIndex, -1);
    EXPECT_EQ(array.tasks.size(), parent.tasks.size()) << array.name;
    ASSERT_EQ(array.alsoAfter.size(), 1u);
    EXPECT_EQ(arrays[static_cast<size_t>(array.alsoAfter[0])].stage, Stage::Data);
    EXPECT_EQ(dependencyFlags(array, jobIds),
              "aftercorr:$" + parent.name + ",afterok:$" +
                  arrays[static_cast<size_t>(array.alsoAfter[0])].name);
    for (size_t i = 0; i < array.tasks.size(); ++i) {
      EXPECT_EQ(array.tasks[i]->parents.front(), parent.tasks[i]->hash);
      EXPECT_EQ(array.indices[i], parent.indices[i]);
    }
  }
  // Train (1 array: both seeds), prune (2) and unlearn (4) arrays, two modes each.
  EXPECT_EQ(transferArrays, 14);
}

// A hostile value goes through the generated script as one argument, running nothing.
TEST(CampaignSlurm, ScriptsQuoteHostileValues) {
  test::ScratchDir dir("campaign-quoting");
  json spec = fixedSpec();
  const std::string hostile = "x'; touch " + dir.file("pwned") + "; ' $(touch " +
                              dir.file("pwned2") + ") `touch " + dir.file("pwned3") + "`";
  spec["grid"]["datasets"][0] = {{"format", "fashion-mnist"}, {"source", hostile}};
  spec["options"]["train"]["milestones"] = hostile;
  const Manifest manifest = expand(parseSpec(spec, "spec.json", programs()), dir.path(), "/bin");
  std::vector<const Task*> all;
  for (const Task& task : manifest.tasks) all.push_back(&task);
  const std::vector<SlurmArray> arrays = planArrays(manifest, all);
  SlurmScriptContext context;
  context.templateText = readTextFile(std::string(MU_SOURCE_DIR) + "/Slurm/stage.sbatch.in");
  context.campaignName = "quoting";
  context.logDir = dir.file("logs");
  for (size_t a = 0; a < 2; ++a) {  // data-0 (hostile --source), train-0 (hostile --milestones)
    const std::string script = dir.file(arrays[a].name + ".sbatch");
    std::ofstream(script) << renderArrayScript(arrays[a], context);
    // A stand-in srun that records its arguments, one per line.
    fs::create_directories(dir.file("fakebin"));
    std::ofstream(dir.file("fakebin/srun"))
        << "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + dir.file("argv") + "\n";
    fs::permissions(dir.file("fakebin/srun"), fs::perms::owner_all);
    const test::CommandResult run = test::runCommand(
        "PATH=" + dir.file("fakebin") + ":$PATH SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_JOB_ID=7 " +
        "SLURM_JOB_ID=8 SLURM_JOB_NAME=q SLURM_NTASKS=" +
        std::to_string(arrays[a].tasks[0]->resources.ranks) + " bash " + script);
    EXPECT_EQ(run.exitCode, 1) << run.output;  // the stand-in writes no done file
    std::ifstream argv(dir.file("argv"));
    std::vector<std::string> words;
    for (std::string line; std::getline(argv, line);) words.push_back(line);
    const std::vector<std::string>& command = arrays[a].tasks[0]->command;
    ASSERT_GE(words.size(), command.size());
    EXPECT_EQ(
        std::vector<std::string>(words.end() - static_cast<long>(command.size()), words.end()),
        command);
    EXPECT_NE(std::find(words.begin(), words.end(), hostile), words.end());
  }
  EXPECT_FALSE(fs::exists(dir.file("pwned")));
  EXPECT_FALSE(fs::exists(dir.file("pwned2")));
  EXPECT_FALSE(fs::exists(dir.file("pwned3")));
}

TEST(CampaignSlurm, DryRunPrintsQuotedScriptsAndSubmitsNothing) {
  test::ScratchDir dir("campaign-dry-run");
  json spec = fixedSpec();
  spec["name"] = "x'; rm -rf /; '";
  spec["grid"]["datasets"][0] = {{"format", "fashion-mnist"}, {"source", "x'; rm -rf /; '"}};
  std::ofstream(dir.file("spec.json")) << spec.dump();
  std::ofstream(dir.file("site.json")) << R"({"partition": "debug", "throttle": 3})";
  const test::CommandResult run = test::runCommand(
      test::programPath("mu-campaign") + " slurm " + dir.file("spec.json") + " --root " +
      dir.file("root") + " --site " + dir.file("site.json") + " --dry-run");
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("--source 'x'\\''; rm -rf /; '\\'''"), std::string::npos);
  EXPECT_NE(run.output.find("--job-name=x___rm_-rf_____-train-0"), std::string::npos);
  EXPECT_NE(run.output.find("'--dependency=afterok:<job of train-0>_1'"), std::string::npos);
  EXPECT_NE(run.output.find("'--dependency=aftercorr:<job of unlearn-0>'"), std::string::npos);
  EXPECT_NE(run.output.find("#SBATCH --signal=B:USR1@300\n#SBATCH --partition=debug"),
            std::string::npos);
  EXPECT_NE(run.output.find("--array=0-1%3"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.file("root/slurm"))) << "a dry run submits and writes no script";
}

// Every spec we ship (Fashion-MNIST, ImageNet, TinyImageNet) expands, and becomes GPU job
// arrays on the example site, without submitting anything.
TEST(CampaignSlurm, EveryShippedSpecExpandsAndDryRunsOnTheExampleSite) {
  test::ScratchDir dir("campaign-shipped");
  int specs = 0;
  for (const auto& entry :
       fs::directory_iterator(std::string(MU_SOURCE_DIR) + "/launch/campaigns")) {
    const std::string spec = entry.path().string();
    const std::string root = dir.file(entry.path().stem().string());
    const test::CommandResult expanded =
        test::runCommand(test::programPath("mu-campaign") + " expand " + spec + " --root " + root);
    EXPECT_EQ(expanded.exitCode, 0) << spec << "\n" << expanded.output;
    const test::CommandResult dry =
        test::runCommand(test::programPath("mu-campaign") + " slurm " + spec + " --root " + root +
                         " --site " + MU_SOURCE_DIR + "/Slurm/site.example.json --dry-run");
    EXPECT_EQ(dry.exitCode, 0) << spec << "\n" << dry.output;
    if (entry.path().stem().string().find("imagenet") != std::string::npos) {
      EXPECT_NE(dry.output.find("#SBATCH --gres=gpu:"), std::string::npos) << spec;
      EXPECT_NE(expanded.output.find("mu-data convert --format "), std::string::npos) << spec;
    }
    ++specs;
  }
  EXPECT_GE(specs, 6);
}

void writeEvaluation(const std::string& root, const std::string& name, const std::string& method,
                     double sparsity, int seed, double ua, double mia, double ra, double ta,
                     double rte, const json& forget = json()) {
  fs::create_directories(root + "/unlearn/" + name);
  std::ofstream(root + "/unlearn/" + name + "/evaluation.json") << json{
      {"forget", forget},
      {"UA", ua},
      {"MIA_efficacy", mia},
      {"RA", ra},
      {"TA", ta},
      {"RTE_s", rte},
      {"method", method},
      {"sparsity", sparsity},
      {"dataset", "fashion-mnist"},
      {"arch", "resnet20s"},
      {"seed", seed}}.dump();
}

TEST(CampaignReport, MeanAndSampleStdOverSeedsAreExact) {
  test::ScratchDir dir("campaign-report");
  const std::string root = dir.path();
  writeEvaluation(root, "a", "retrain", 0, 1, 10, 20, 100, 90, 30);
  writeEvaluation(root, "b", "retrain", 0, 2, 12, 22, 100, 92, 34);
  writeEvaluation(root, "c", "ft", 0, 1, 2, 10, 99, 91, 3);
  writeEvaluation(root, "d", "ft", 0, 2, 4, 14, 97, 89, 5);
  writeEvaluation(root, "e", "retrain", 0.95, 1, 11, 21, 100, 90, 30);
  writeEvaluation(root, "f", "ft", 0.95, 1, 7, 17, 99, 90, 4);
  const std::vector<ReportRow> rows = aggregate(collectEvaluations(root), programs().methods());
  ASSERT_EQ(rows.size(), 4u);
  const std::string markdown = markdownTable(rows);
  EXPECT_NE(markdown.find("### fashion-mnist, resnet20s\n"), std::string::npos) << markdown;
  // UA 10, 12: mean 11, sample std sqrt(2) = 1.41; RTE 30, 34: 32 ± 2.83.
  EXPECT_NE(markdown.find("| Retrain | dense | 11.00 ± 1.41 | 21.00 ± 1.41 | 100.00 ± 0.00 | "
                          "91.00 ± 1.41 | 32.00 ± 2.83 | – | 1 2 |"),
            std::string::npos)
      << markdown;
  // FT dense: UA 3 (gap 8), MIA 12 (9), RA 98 (2), TA 90 (1): gap 5.
  EXPECT_NE(markdown.find("| FT | dense | 3.00 ± 1.41 | 12.00 ± 2.83 | 98.00 ± 1.41 | "
                          "90.00 ± 1.41 | 4.00 ± 1.41 | 5.00 | 1 2 |"),
            std::string::npos)
      << markdown;
  // FT at 95 %: |7-11| + |17-21| + 1 + 0 = 9 over 4 metrics.
  // One seed: no spread to show ("± –"), where two equal seeds show "± 0.00".
  EXPECT_NE(markdown.find("| FT | 95% sparse | 7.00 ± – | 17.00 ± – | 99.00 ± – | "
                          "90.00 ± – | 4.00 ± – | 2.25 | 1 |"),
            std::string::npos)
      << markdown;
  // Rows: methods (registry order) x sparsity (dense first).
  EXPECT_LT(markdown.find("| Retrain | dense"), markdown.find("| Retrain | 95% sparse"));
  EXPECT_LT(markdown.find("| Retrain | 95% sparse"), markdown.find("| FT | dense"));
  const std::string csv = csvTable(rows);
  EXPECT_NE(csv.find("fashion-mnist,resnet20s,,ft,0,2,3.00,1.41,12.00,2.83,98.00,1.41,90.00,"
                     "1.41,4.00,1.41,5.00\n"),
            std::string::npos)
      << csv;
  const std::string svg = svgPlot(rows);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  size_t lines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 8u);  // 2 methods x 4 metric panels
}

TEST(CampaignReport, ResultsOutsideTheManifestAreGroupedByTheirOwnForgetRequest) {
  // No manifest (a root from older versions, or results placed there by hand): the forget mode
  // and the sparsity come from each evaluation.json itself, as evaluate writes them.
  test::ScratchDir dir("campaign-report-forget");
  const std::string root = dir.path();
  const json byClass{{"mode", "class"}, {"class", 0}, {"count", 0}};
  const json byRandom{{"mode", "random"}, {"class", 0}, {"count", 540}};
  const json byClasses{{"mode", "class"}, {"class", {1, 4}}, {"count", 0}};
  writeEvaluation(root, "a", "ft", 95.00014958, 1, 100, 100, 90, 88, 20, byClass);
  writeEvaluation(root, "c", "ft", 95.00014958, 1, 100, 100, 90, 88, 20, byClasses);
  writeEvaluation(root, "b", "ft", 95.00014958, 1, 8, 15, 91, 89, 21, byRandom);
  const std::string markdown =
      markdownTable(aggregate(collectEvaluations(root), programs().methods()));
  EXPECT_NE(markdown.find("### fashion-mnist, resnet20s, forget class-0\n"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("### fashion-mnist, resnet20s, forget random-540\n"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("### fashion-mnist, resnet20s, forget class-1+4\n"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| FT | 95% sparse | 8.00 ± – |"), std::string::npos) << markdown;
}

TEST(CampaignReport, AMetricAnOlderResultsFileLacksShowsAsADash) {
  // An evaluation.json written before a metric existed: the report shows "–" for it (and no gap,
  // which needs every gap metric), rather than refusing the whole root.
  test::ScratchDir dir("campaign-report-older");
  const std::string root = dir.path();
  writeEvaluation(root, "a", "retrain", 0, 1, 10, 20, 100, 90, 30);
  writeEvaluation(root, "b", "ft", 0, 1, 2, 10, 99, 91, 3);
  json older = test::readJson(root + "/unlearn/b/evaluation.json");
  older.erase("MIA_efficacy");
  std::ofstream(root + "/unlearn/b/evaluation.json") << older.dump();
  const std::vector<ReportRow> rows = aggregate(collectEvaluations(root), programs().methods());
  const std::string markdown = markdownTable(rows);
  EXPECT_NE(
      markdown.find("| FT | dense | 2.00 ± – | – | 99.00 ± – | 91.00 ± – | 3.00 ± – | – | 1 |"),
      std::string::npos)
      << markdown;
  EXPECT_NE(csvTable(rows).find("fashion-mnist,resnet20s,,ft,0,1,2.00,,,,99.00,,91.00,,3.00,,\n"),
            std::string::npos)
      << csvTable(rows);
}

TEST(CampaignReport, BackdoorColumnsAppearWhereBackdoorsWereEvaluated) {
  test::ScratchDir dir("campaign-report-backdoor");
  const std::string root = dir.path();
  writeEvaluation(root, "a", "retrain", 0, 1, 10, 20, 100, 90, 30);
  writeEvaluation(root, "b", "ft", 0, 1, 2, 10, 99, 91, 3);
  for (const auto& [name, asr] : {std::pair<std::string, double>{"a", 4.0}, {"b", 12.5}}) {
    const std::string file = root + "/unlearn/" + name + "/evaluation.json";
    json evaluation = test::readJson(file);
    evaluation["ASR"] = asr;
    evaluation["ASR_all"] = asr + 10;
    evaluation["TA_original"] = 92.0;
    evaluation["ASR_original"] = 97.0;
    std::ofstream(file) << evaluation.dump();
  }
  const std::vector<ReportRow> rows = aggregate(collectEvaluations(root), programs().methods());
  const std::string markdown = markdownTable(rows);
  EXPECT_NE(markdown.find("| Method | Model | UA | MIA-Efficacy | RA | TA | RTE (s) | ASR | "
                          "ASR-all | TA before | ASR before | Gap to Retrain | Seeds |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| FT | dense | 2.00 ± – | 10.00 ± – | 99.00 ± – | 91.00 ± – | "
                          "3.00 ± – | 12.50 ± – | 22.50 ± – | 92.00 ± – | 97.00 ± – |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(csvTable(rows).find(",ASR_mean,ASR_std,ASR_all_mean,"), std::string::npos);
  const std::string svg = svgPlot(rows);
  EXPECT_NE(svg.find(">ASR before</text>"), std::string::npos);
  size_t lines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 12u);  // 2 methods x (4 metric panels + ASR after and before)
}

TEST(CampaignReport, ASweepHasARowPerSetting) {
  test::ScratchDir dir("campaign-report-sweep");
  const std::string root = dir.path();
  writeEvaluation(root, "a", "retrain", 0, 1, 10, 20, 100, 90, 30);
  writeEvaluation(root, "b", "iu", 0, 1, 2, 10, 99, 91, 3);
  writeEvaluation(root, "c", "iu", 0, 1, 90, 95, 11, 10, 3);
  for (const auto& [name, setting] : {std::pair<std::string, std::string>{"b", "iu-alpha 0.01"},
                                      {"c", "iu-alpha 1, iu-augment true"}}) {
    const std::string file = root + "/unlearn/" + name + "/evaluation.json";
    json evaluation = test::readJson(file);
    evaluation["setting"] = setting;  // as the campaign's labels give it
    std::ofstream(file) << evaluation.dump();
  }
  const std::vector<ReportRow> rows = aggregate(collectEvaluations(root), programs().methods());
  ASSERT_EQ(rows.size(), 3u);
  const std::string markdown = markdownTable(rows);
  EXPECT_NE(markdown.find("| IU (iu-alpha 0.01) | dense | 2.00 ± – |"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| IU (iu-alpha 1, iu-augment true) | dense | 90.00 ± – |"),
            std::string::npos)
      << markdown;
  const std::string csv = csvTable(rows);
  EXPECT_NE(csv.find(",iu[iu-alpha=0.01],"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",iu[iu-alpha=1;iu-augment=true],"), std::string::npos) << csv;
  EXPECT_NE(svgPlot(rows).find(">IU (iu-alpha 0.01)</text>"), std::string::npos);
}

TEST(CampaignReport, EachProtocolHasItsOwnSection) {
  test::ScratchDir dir("campaign-report-protocol");
  const std::string root = dir.path();
  writeEvaluation(root, "a", "retrain", 0, 1, 10, 20, 100, 90, 30);
  writeEvaluation(root, "b", "retrain", 0, 1, 14, 24, 100, 88, 30);
  const std::string file = root + "/unlearn/b/evaluation.json";
  json evaluation = test::readJson(file);
  evaluation["protocol"] = "reference";
  std::ofstream(file) << evaluation.dump();
  const std::string markdown =
      markdownTable(aggregate(collectEvaluations(root), programs().methods()));
  EXPECT_NE(markdown.find("### fashion-mnist, resnet20s\n"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("### fashion-mnist, resnet20s, reference protocol\n"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| Retrain | dense | 14.00 ± – |"), std::string::npos) << markdown;
}

TEST(CampaignReport, TransferColumnsComeFromTheTransferRunsBeforeAndAfterUnlearning) {
  test::ScratchDir dir("campaign-report-transfer");
  const std::string root = dir.path();
  json spec = transferSpec();
  spec["grid"]["seeds"] = {1};
  spec["transfer"]["modes"] = {"linear-probe"};
  const Manifest manifest = expand(parseSpec(spec, "spec.json", programs()), root, "/b");
  writeManifestFile(manifest, root);
  std::map<std::string, const Task*> byHash;
  for (const Task& task : manifest.tasks) byHash[task.hash] = &task;
  // Target accuracy: 80 from a model before unlearning (+1 when sparse), 70 + the method's rank
  // after it; one unlearning run's transfer has not finished.
  bool leftOneOut = false;
  for (const Task& task : manifest.tasks) {
    if (task.stage == Stage::Unlearn) {
      fs::create_directories(task.runDir);
      std::ofstream(task.runDir + "/evaluation.json")
          << json{{"UA", 1}, {"MIA_efficacy", 2}, {"RA", 3}, {"TA", 4}}.dump();
    }
    if (task.stage != Stage::Transfer) continue;
    const Task& source = *byHash.at(task.parents.front());
    const bool sparse = task.labels["sparsity"] != "dense";
    double accuracy = 80 + (sparse ? 1 : 0);
    if (source.stage == Stage::Unlearn) {
      if (sparse && source.labels["method"] == "ft" && !leftOneOut) {
        leftOneOut = true;
        continue;
      }
      accuracy = 70 + (source.labels["method"] == "ft" ? 5 : 0) + (sparse ? 1 : 0);
    }
    fs::create_directories(task.runDir);
    std::ofstream(task.runDir + "/results.json") << json{{"test_accuracy", accuracy}}.dump();
  }
  const std::vector<ReportRow> rows = aggregate(collectEvaluations(root), programs().methods());
  const std::string markdown = markdownTable(rows);
  EXPECT_NE(markdown.find("| TA | LP target | LP target before | Gap to Retrain |"),
            std::string::npos)
      << markdown;
  EXPECT_EQ(markdown.find("FT target"), std::string::npos) << "no fine-tuning was chained";
  EXPECT_NE(markdown.find("| Retrain | dense | 1.00 ± – | 2.00 ± – | 3.00 ± – | 4.00 ± – | "
                          "70.00 ± – | 80.00 ± – |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| FT | dense | 1.00 ± – | 2.00 ± – | 3.00 ± – | 4.00 ± – | 75.00 ± – | "
                          "80.00 ± – |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| FT | 95% sparse | 1.00 ± – | 2.00 ± – | 3.00 ± – | 4.00 ± – | – | "
                          "81.00 ± – |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(svgPlot(rows).find(">LP target before</text>"), std::string::npos);
}

// A tiny train + prune campaign: tinycnn on 256 images, two seeds, dense and OMP 50 %.
std::string writeTinySpec(const std::string& path) {
  std::ofstream(path) << R"({
    "name": "tiny", "stop_after": "prune",
    "grid": {"datasets": ["fashion-mnist"], "archs": ["tinycnn"],
             "sparsities": ["dense", {"omp": 0.5}], "forget": [{"class": 0}],
             "methods": ["ft"], "seeds": [1, 2]},
    "options": {"train": {"epochs": 2, "batch-size": 32, "train-limit": 256, "milestones": [1],
                          "rewind-epoch": 1, "checkpoint-every-steps": 2}},
    "resources": {"default": {"ranks": 1, "threads": 1}}
  })";
  return path;
}

std::string campaign(const std::string& arguments) {
  return test::programPath("mu-campaign") + " " + arguments + " --bin " + MU_BIN_DIR;
}

// Specs expanded into one root at the same moment by separate processes: the manifest's
// read-merge-write holds the root's lock, so every spec's tasks are kept.
TEST(CampaignManifest, ConcurrentExpansionsIntoOneRootKeepEverySpec) {
  test::ScratchDir dir("campaign-concurrent");
  const std::string root = dir.file("root");
  std::set<std::string> expected;
  std::string script;
  for (int seed = 1; seed <= 10; ++seed) {  // disjoint tasks but the shared data task
    json spec = fixedSpec();
    spec["grid"]["seeds"] = {seed};
    const std::string file = dir.file("spec-" + std::to_string(seed) + ".json");
    std::ofstream(file) << spec.dump();
    for (const Task& task : expand(parseSpec(spec, file, programs()), root, MU_BIN_DIR).tasks) {
      expected.insert(task.id());
    }
    script += campaign("expand " + file + " --root " + root) + " > /dev/null & ";
  }
  const test::CommandResult expanded = test::runCommand(script + "wait");
  ASSERT_EQ(expanded.exitCode, 0) << expanded.output;
  std::set<std::string> kept;
  for (const Task& task : readManifestFile(root).tasks) kept.insert(task.id());
  EXPECT_EQ(kept.size(), expected.size());
  EXPECT_EQ(kept, expected);
}

TEST(CampaignLocalRunner, RunsToTheEndAndResumesAfterAnInterruption) {
  test::ScratchDir dir("campaign-local");
  const std::string spec = writeTinySpec(dir.file("spec.json"));
  const std::string whole = dir.file("whole"), stopped = dir.file("stopped");
  const test::CommandResult run = test::runCommand(campaign("run " + spec + " --root " + whole));
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("[5/5 done, 0 running, 0 failed]"), std::string::npos) << run.output;
  const test::CommandResult status = test::runCommand(campaign("status --root " + whole));
  EXPECT_NE(status.output.find("5 done, 0 running, 0 failed, 0 pending of 5 tasks"),
            std::string::npos)
      << status.output;
  const test::CommandResult again = test::runCommand(campaign("run " + spec + " --root " + whole));
  EXPECT_EQ(again.exitCode, 0);
  EXPECT_NE(again.output.find("5 of 5 tasks done (5 already before)"), std::string::npos)
      << again.output;

  // Stop the campaign once a training run has written its first checkpoint, then rerun it.
  const Manifest manifest = expand(readSpec(spec, programs()), stopped, MU_BIN_DIR);
  const std::string firstTrain = manifest.tasks[1].runDir;
  const int stoppedCode = test::interruptCommand(campaign("run " + spec + " --root " + stopped),
                                                 firstTrain + "/last.h5", "TERM");
  EXPECT_TRUE(stoppedCode == 75 || stoppedCode == 0) << stoppedCode;
  const test::CommandResult resumed =
      test::runCommand(campaign("run " + spec + " --root " + stopped));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  for (const Task& task : manifest.tasks) {
    if (task.stage == Stage::Data) continue;
    const std::string relative = fs::relative(task.runDir, stopped).string();
    const std::string model = task.stage == Stage::Prune ? "/round-1/best.h5" : "/best.h5";
    test::expectSameTensors(whole + "/" + relative + model, task.runDir + model, {"/params"});
  }
}

// Two specs that share their data and training tasks, run into one root at the same moment by
// two runners: each shared task starts once (its claim is taken under the task's lock), the
// runner that lost the claim waits for it, and both runners end with every task of theirs done.
TEST(CampaignLocalRunner, TwoRunnersAtOnceStartEachSharedTaskOnce) {
  test::ScratchDir dir("campaign-two-runners");
  const std::string root = dir.file("root");
  json dense = json::parse(std::ifstream(writeTinySpec(dir.file("tiny.json"))));
  dense["grid"]["seeds"] = {1};
  dense["grid"]["sparsities"] = {"dense"};
  dense["stop_after"] = "train";
  json pruned = dense;
  pruned["grid"]["sparsities"] = {{{"omp", 0.5}}};
  pruned["stop_after"] = "prune";
  std::ofstream(dir.file("dense.json")) << dense.dump();
  std::ofstream(dir.file("pruned.json")) << pruned.dump();
  const test::CommandResult both = test::runCommand(
      campaign("run " + dir.file("dense.json") + " --root " + root) + " > " + dir.file("a.log") +
      " 2>&1 & a=$!; " + campaign("run " + dir.file("pruned.json") + " --root " + root) + " > " +
      dir.file("b.log") + " 2>&1 & b=$!; wait $a; ra=$?; wait $b; echo \"exits $ra $?\"");
  const std::string logs = readTextFile(dir.file("a.log")) + readTextFile(dir.file("b.log"));
  EXPECT_NE(both.output.find("exits 0 0"), std::string::npos) << both.output << logs;

  const Manifest manifest = readManifestFile(root);
  ASSERT_EQ(manifest.tasks.size(), 3u);  // data, train, prune
  for (const Task& task : manifest.tasks) {
    EXPECT_EQ(taskStatus(task).state, TaskState::Done) << task.id() << "\n" << logs;
    std::ifstream attempts(attemptsFile(task));
    int starts = 0;
    for (std::string line; std::getline(attempts, line);) starts += line.rfind("start ", 0) == 0;
    EXPECT_EQ(starts, 1) << task.id() << "\n" << logs;
  }
}

// A task whose stage stops with exit code 3 (non-finite: gradient ascent at a rate of 1e12) is
// marked failed with that code, the evaluation that needs it is not started, and the tasks that
// do not depend on it (fine-tuning the same model, and its evaluation) still run to the end.
TEST(CampaignLocalRunner, ADivergedTaskFailsAndTheTasksNotNeedingItStillRun) {
  test::ScratchDir dir("campaign-diverged");
  const std::string spec = dir.file("spec.json");
  std::ofstream(spec) << R"({
    "name": "diverging",
    "grid": {"datasets": ["fashion-mnist"], "archs": ["tinycnn"], "sparsities": ["dense"],
             "forget": [{"class": 0}],
             "methods": [{"name": "ga", "options": {"ga-lr": 1e12, "ga-epochs": 3}},
                         {"name": "ft", "options": {"ft-epochs": 1}}],
             "seeds": [1]},
    "options": {"train": {"epochs": 1, "batch-size": 32, "train-limit": 256, "rewind-epoch": 0},
                "unlearn": {"batch-size": 16}},
    "resources": {"default": {"ranks": 1, "threads": 1}}
  })";
  const std::string root = dir.file("root");
  const test::CommandResult run = test::runCommand(campaign("run " + spec + " --root " + root));
  EXPECT_EQ(run.exitCode, 1) << run.output;
  EXPECT_NE(run.output.find("4 of 6 tasks done (0 already before), 1 failed, 1 not started"),
            std::string::npos)
      << run.output;

  // Each task's state as `mu-campaign status` reads it, by stage and method ("ga" or "ft").
  const Manifest manifest = readManifestFile(root);
  std::map<std::string, TaskStatus> states;
  for (const Task& task : manifest.tasks) {
    // An evaluation's method is that of the unlearning run it evaluates.
    const Task& unlearn =
        task.stage == Stage::Evaluate ? manifest.byHash(task.parents.at(0)) : task;
    const auto method = std::find(unlearn.command.begin(), unlearn.command.end(), "--method");
    const std::string name = method == unlearn.command.end() ? "" : *(method + 1);
    states[stageName(task.stage) + " " + name] = taskStatus(task);
  }
  ASSERT_EQ(states.size(), 6u);
  EXPECT_EQ(states["unlearn ga"].state, TaskState::Failed);
  EXPECT_EQ(states["unlearn ga"].detail.rfind("exit code 3;", 0), 0u)
      << states["unlearn ga"].detail;
  EXPECT_EQ(states["evaluate ga"].state, TaskState::Pending);  // never started
  for (const char* task : {"data ", "train ", "unlearn ft", "evaluate ft"}) {
    EXPECT_EQ(states[task].state, TaskState::Done) << task << "\n" << run.output;
  }
  EXPECT_NE(run.output.find("(exit code 3)"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace mu::campaign
