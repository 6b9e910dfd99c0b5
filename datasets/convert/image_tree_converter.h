#pragma once
// `mu-data convert` for trees of image files (imagenet, tinyimagenet, imagefolder): every rank of
// the MPI job converts its share of fixed blocks of the sorted listing into JPEG shards (a block
// of --shard-size files is one shard, so 1 and n ranks write the same shards), then rank 0 gives
// the images their ids, draws the validation split and writes the manifest. Everything goes into
// <out>.partial, renamed to <out> at the end: a killed conversion leaves no dataset folder, and
// the same command run again keeps the shards already written and finishes it.

#include "datasets/convert/converter.h"
#include "datasets/formats/source_format.h"
#include "pipeline/runtime/mpi_runtime.h"

namespace mu {

ConvertResult convertImageTree(const ConvertOptions& options, const SourceFormat& format,
                               const MpiRuntime& runtime);

}  // namespace mu
