#include "pipeline/distributed/device_placement.h"

#include "pipeline/base/error.h"
#include "pipeline/cli/option_table.h"
#include "pipeline/distributed/device.h"
#include "pipeline/distributed/gradient_communicator.h"

namespace mu {

void addDeviceOption(OptionTable& table, std::string* device) {
  table.addChoice("device", device, {"cpu", "cuda"},
                  "cpu, or cuda: each rank takes the GPU of its node-local rank",
                  OptionTable::Effect::kOperational);
}

void addChannelsLastOption(OptionTable& table, bool* channelsLast) {
  table.addFlag("channels-last", channelsLast,
                "channels-last (NHWC) weights and batches: cuDNN's fast layout; on a CPU faster "
                "for narrow models (resnet20s), slower for ResNet-18 (bench_train_step)",
                OptionTable::Effect::kOperational);
}

void validateDeviceChoice(const DeviceChoice& choice) {
  const bool gpu = choice.device == "cuda";
  requireOption(choice.gradientCompression == "none" || gpu, "grad-compression",
                "bf16 gradient compression needs --device cuda (NCCL)");
  requireOption(!choice.cudnnBenchmark || gpu, "cudnn-benchmark",
                "--cudnn-benchmark is a GPU option: add --device cuda");
}

DevicePlacement::DevicePlacement(torch::nn::Module& model, Communicator& host,
                                 const DeviceChoice& choice)
    : device_(resolveDevice(choice.device)), host_(host) {
  setCudnnBenchmark(choice.cudnnBenchmark);
  placeModel(model, device_, choice.channelsLast);
  deviceComm_ = makeDeviceCommunicator(host, device_, choice.gradientCompression);
}

}  // namespace mu
