#include "pipeline/data/sample_source.h"

#include <stdexcept>
#include <utility>

namespace mu {
namespace {

class InMemoryStream : public BatchStream {
 public:
  InMemoryStream(const torch::Tensor& images, std::vector<std::vector<int64_t>> plan,
                 BatchRecipe recipe, BatchPlacement placement)
      : images_(images),
        plan_(std::move(plan)),
        recipe_(std::move(recipe)),
        placement_(std::move(placement)) {
    if (recipe_.augment.randomResizedCrop) {
      throw std::invalid_argument(
          "RandomResizedCrop is for streamed JPEG datasets; decoded pixels use crop padding");
    }
  }

  torch::Tensor next() override {
    if (next_ >= plan_.size()) throw std::logic_error("BatchStream: the plan is exhausted");
    const std::vector<int64_t>& ids = plan_[next_++];
    return makeImageBatch(images_, ids, ids, recipe_.augment, recipe_.seed, recipe_.epoch,
                          placement_);
  }

 private:
  const torch::Tensor& images_;
  std::vector<std::vector<int64_t>> plan_;
  BatchRecipe recipe_;
  BatchPlacement placement_;
  size_t next_ = 0;
};

}  // namespace

torch::Tensor SampleSource::batch(const std::vector<int64_t>& ids, const BatchRecipe& recipe,
                                  const BatchPlacement& placement) const {
  return stream({ids}, recipe, placement)->next();
}

InMemorySource::InMemorySource(torch::Tensor images) : images_(std::move(images)) {}

std::unique_ptr<BatchStream> InMemorySource::stream(std::vector<std::vector<int64_t>> plan,
                                                    const BatchRecipe& recipe,
                                                    const BatchPlacement& placement) const {
  return std::make_unique<InMemoryStream>(images_, std::move(plan), recipe, placement);
}

}  // namespace mu
