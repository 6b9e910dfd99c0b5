// mu-data convert --classes without the program: the list's syntax and errors, its compact text
// (the dataset's name), the images and files a subset keeps and their new labels, and the
// manifest's source_classes field (written only for subsets, checked when read).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "datasets/convert/class_subset.h"
#include "pipeline/base/error.h"
#include "pipeline/data/shard_schema.h"

namespace mu {
namespace {

using Classes = std::vector<int64_t>;

// The message of the InputError `body` throws ("" if none, which fails the test).
template <typename Body>
std::string inputErrorOf(Body body) {
  try {
    body();
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

TEST(ClassList, ParsesClassesAndRangesInTheListedOrder) {
  EXPECT_EQ(parseClassList("5-9"), (Classes{5, 6, 7, 8, 9}));
  EXPECT_EQ(parseClassList("0,2,4"), (Classes{0, 2, 4}));
  EXPECT_EQ(parseClassList("0-2,7"), (Classes{0, 1, 2, 7}));
  EXPECT_EQ(parseClassList("7,5"), (Classes{7, 5}));
  EXPECT_EQ(parseClassList("9-9"), (Classes{9}));
  EXPECT_EQ(parseClassList(" 8 , 1 - 2 "), (Classes{8, 1, 2}));
}

TEST(ClassList, RefusesBadListsNamingTheOption) {
  for (const std::string text :
       {"", " ", ",", "5,", ",5", "5,,6", "a", "5-", "-5", "5-x", "1.5", "5--7", "1-2-3"}) {
    const std::string message = inputErrorOf([&] { parseClassList(text); });
    EXPECT_NE(message.find("--classes"), std::string::npos) << "'" << text << "': " << message;
  }
  EXPECT_NE(inputErrorOf([] { parseClassList("9-5"); }).find("descends"), std::string::npos);
  EXPECT_NE(inputErrorOf([] { parseClassList("5,5"); }).find("class 5 is listed twice"),
            std::string::npos);
  EXPECT_NE(inputErrorOf([] { parseClassList("0-5,3"); }).find("class 3 is listed twice"),
            std::string::npos);
  EXPECT_NE(inputErrorOf([] { parseClassList(""); }).find("non-empty"), std::string::npos);
}

TEST(ClassList, ClassesMustBeTheDatasets) {
  checkClassesExist({0, 9}, 10, "fashion-mnist");
  const std::string message = inputErrorOf([] { checkClassesExist({3, 10}, 10, "fashion-mnist"); });
  EXPECT_NE(message.find("--classes"), std::string::npos) << message;
  EXPECT_NE(message.find("class 10"), std::string::npos) << message;
  EXPECT_NE(message.find("[0, 10)"), std::string::npos) << message;
}

TEST(ClassList, CompactTextReadsBackAsTheSameList) {
  EXPECT_EQ(classListText({5, 6, 7, 8, 9}), "5-9");
  EXPECT_EQ(classListText({0, 1, 2, 7}), "0-2,7");
  EXPECT_EQ(classListText({7, 5}), "7,5");
  EXPECT_EQ(classListText({0, 2, 4}), "0,2,4");
  EXPECT_EQ(classListText({3, 4, 1, 2}), "3-4,1-2");
  for (const Classes& classes : {Classes{5, 6, 7}, Classes{7, 5}, Classes{3, 4, 1, 2, 9}}) {
    EXPECT_EQ(parseClassList(classListText(classes)), classes);
  }
  EXPECT_EQ(subsetDatasetName("fashion-mnist", {0, 1, 2, 7}), "fashion-mnist[0-2,7]");
  EXPECT_EQ(subsetDatasetName("fashion-mnist", {}), "fashion-mnist");
}

// Four 1x1x2 images of classes 2, 0, 1, 2: pixel values say which image each is.
ImageSet fourImages() {
  ImageSet images;
  images.channels = 1;
  images.height = 1;
  images.width = 2;
  images.pixels = {10, 11, 20, 21, 30, 31, 40, 41};
  images.labels = {2, 0, 1, 2};
  return images;
}

TEST(ClassSubset, KeepsTheClassesImagesInOrderRelabelledAsListed) {
  const ImageSet kept = selectClasses(fourImages(), {2, 0});
  EXPECT_EQ(kept.channels, 1);
  EXPECT_EQ(kept.width, 2);
  EXPECT_EQ(kept.pixels, (std::vector<uint8_t>{10, 11, 20, 21, 40, 41}));
  EXPECT_EQ(kept.labels, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(selectClasses(fourImages(), {1}).pixels, (std::vector<uint8_t>{30, 31}));
}

TEST(ClassSubset, RenamesAndReducesAWholeDataset) {
  SourceDataset source;
  source.name = "tiny";
  source.numClasses = 3;
  source.classNames = {"zero", "one", "two"};
  source.train = fourImages();
  source.test = fourImages();
  const SourceDataset subset = selectClasses(source, {2, 1});
  EXPECT_EQ(subset.name, "tiny[2,1]");
  EXPECT_EQ(subset.numClasses, 2);
  EXPECT_EQ(subset.classNames, (std::vector<std::string>{"two", "one"}));
  EXPECT_EQ(subset.train.labels, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(subset.test.size(), 3);
  EXPECT_EQ(selectClasses(source, {}).name, "tiny");  // no list: every class, same name
  EXPECT_NE(inputErrorOf([&] { selectClasses(source, {3}); }).find("tiny's 3 classes"),
            std::string::npos);
}

TEST(ClassSubset, ReducesATreeOfImageFiles) {
  ImageTree tree;
  tree.dataset = "imagefolder";
  tree.classNames = {"cat", "dog", "fox"};
  tree.splits["train"] = {{"cat/1.jpg", 0}, {"dog/1.jpg", 1}, {"fox/1.jpg", 2}, {"fox/2.jpg", 2}};
  tree.splits["test"] = {{"cat/9.jpg", 0}, {"dog/9.jpg", 1}};
  const ImageTree subset = selectClasses(tree, {2, 0});
  EXPECT_EQ(subset.dataset, "imagefolder[2,0]");
  EXPECT_EQ(subset.classNames, (std::vector<std::string>{"fox", "cat"}));
  ASSERT_EQ(subset.splits.at("train").size(), 3u);
  EXPECT_EQ(subset.splits.at("train")[0].path, "cat/1.jpg");
  EXPECT_EQ(subset.splits.at("train")[0].label, 1);
  EXPECT_EQ(subset.splits.at("train")[2].path, "fox/2.jpg");
  EXPECT_EQ(subset.splits.at("train")[2].label, 0);
  ASSERT_EQ(subset.splits.at("test").size(), 1u);
  EXPECT_EQ(subset.splits.at("test")[0].label, 1);
}

DatasetManifest smallManifest() {
  DatasetManifest manifest;
  manifest.dataset = "fashion-mnist";
  manifest.numClasses = 2;
  manifest.classNames = {"Sneaker", "Sandal"};
  manifest.channels = 1;
  manifest.height = 28;
  manifest.width = 28;
  manifest.mean = {0.2};
  manifest.std = {0.3};
  manifest.splits["train"] = {1, {"train-00000.h5"}};
  return manifest;
}

TEST(ManifestSourceClasses, WrittenOnlyForASubsetAndReadBack) {
  DatasetManifest full = smallManifest();
  EXPECT_EQ(manifestToJson(full).find("source_classes"), std::string::npos);
  EXPECT_TRUE(manifestFromJson(manifestToJson(full), "m.json").sourceClasses.empty());
  EXPECT_EQ(full.family(), "fashion-mnist");

  DatasetManifest subset = smallManifest();
  subset.dataset = "fashion-mnist[7,5]";
  subset.sourceClasses = {7, 5};
  const std::string text = manifestToJson(subset);
  EXPECT_EQ(nlohmann::json::parse(text).at("source_classes"), nlohmann::json({7, 5}));
  const DatasetManifest read = manifestFromJson(text, "m.json");
  EXPECT_EQ(read.sourceClasses, (Classes{7, 5}));
  EXPECT_EQ(read.dataset, "fashion-mnist[7,5]");
  EXPECT_EQ(read.family(), "fashion-mnist");
  EXPECT_NE(read.identity(), full.identity());
}

TEST(ManifestSourceClasses, RefusesAnythingButOneIntegerPerClass) {
  for (const nlohmann::json& bad :
       {nlohmann::json("5-9"), nlohmann::json({7, "5"}), nlohmann::json({7.5, 5}),
        nlohmann::json({7, -5}), nlohmann::json({7, 5, 6}), nlohmann::json::object()}) {
    nlohmann::json doc = nlohmann::json::parse(manifestToJson(smallManifest()));
    doc["source_classes"] = bad;
    const std::string message = inputErrorOf([&] { manifestFromJson(doc.dump(), "m.json"); });
    EXPECT_NE(message.find("m.json: source_classes"), std::string::npos) << bad << ": " << message;
  }
}

}  // namespace
}  // namespace mu
