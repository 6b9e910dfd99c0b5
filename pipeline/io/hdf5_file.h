#pragma once
// A small RAII layer over the HDF5 C API: files, groups, typed datasets and attributes. A file
// opened read-only is input: any failing call on it, or a rank, size or length it cannot hold, is
// a mu::InputError naming the file and the object, "damaged or not written by this program" (a
// stage's exit 2), whatever broke, so a damaged file reads like a truncated one. On a file being
// written a failing call is a mu::SystemError (disk full, permissions). Both replace HDF5's own
// multi-line error stack. Files are written in a format whose metadata carries checksums that
// the library verifies on reading (see create()).

#include <hdf5.h>

#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mu {

// Owns one HDF5 identifier and closes it with the matching H5*close.
class Hdf5Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Hdf5Handle() = default;
  Hdf5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  Hdf5Handle(Hdf5Handle&& other) noexcept { swap(other); }
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
    swap(other);
    return *this;
  }
  ~Hdf5Handle() {
    if (id_ >= 0 && closer_) closer_(id_);
  }
  hid_t get() const { return id_; }

 private:
  void swap(Hdf5Handle& other) noexcept {
    std::swap(id_, other.id_);
    std::swap(closer_, other.closer_);
  }
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// Maps a C++ element type to its native HDF5 type.
template <typename T>
hid_t hdf5NativeType();
template <>
hid_t hdf5NativeType<uint8_t>();
template <>
hid_t hdf5NativeType<int32_t>();
template <>
hid_t hdf5NativeType<int64_t>();
template <>
hid_t hdf5NativeType<uint64_t>();
template <>
hid_t hdf5NativeType<float>();
template <>
hid_t hdf5NativeType<double>();

class Hdf5File {
 public:
  // Truncates an existing file. The format is HDF5 1.8's (readable by any HDF5 since 1.8, h5py
  // included): its superblock, object headers and link and attribute indexes are checksummed, so
  // a damaged byte there fails a read instead of being parsed.
  static Hdf5File create(const std::string& path);
  static Hdf5File openReadOnly(const std::string& path);
  static Hdf5File openReadWrite(const std::string& path);

  const std::string& path() const { return path_; }
  void flush();

  // Objects are addressed by absolute or root-relative paths ("images", "params/conv1.weight").
  bool exists(const std::string& objectPath) const;
  void createGroup(const std::string& groupPath);
  // Names of a group's direct members, in HDF5's (alphabetical) order.
  std::vector<std::string> listGroup(const std::string& groupPath) const;

  template <typename T>
  void writeDataset(const std::string& name, const T* data, const std::vector<hsize_t>& shape);
  template <typename T>
  void writeDataset(const std::string& name, const std::vector<T>& values) {
    writeDataset(name, values.data(), {static_cast<hsize_t>(values.size())});
  }
  std::vector<hsize_t> datasetShape(const std::string& name) const;
  // The stored element type in numpy's spelling ("float32", "int64", "uint8", "string"; "other"
  // for compound, enum and the like), so callers can refuse a type before reading converts it.
  std::string datasetElementType(const std::string& name) const;
  // Reads the whole dataset into `out`, which must hold exactly product(shape) elements.
  template <typename T>
  void readDataset(const std::string& name, T* out, size_t elementCount) const;
  template <typename T>
  std::vector<T> readVector(const std::string& name) const;
  // Elements [first, first + count) of a one-dimensional dataset, read without the rest (how
  // one encoded image is read out of a shard's concatenated bytes).
  template <typename T>
  void readRange(const std::string& name, hsize_t first, hsize_t count, T* out) const;
  // Where a dataset's elements start in the file, when they are stored in one contiguous run
  // (not chunked or compressed): the file can then be read there without the HDF5 library.
  std::optional<uint64_t> contiguousOffset(const std::string& name) const;
  // Removes a dataset or group (so it can be written again).
  void remove(const std::string& objectPath);

  // Attributes live on an object (default: the root group).
  void setAttribute(const std::string& name, const std::string& value,
                    const std::string& objectPath = "/");
  void setAttribute(const std::string& name, int64_t value, const std::string& objectPath = "/");
  void setAttribute(const std::string& name, double value, const std::string& objectPath = "/");
  void setAttribute(const std::string& name, const std::vector<int64_t>& values,
                    const std::string& objectPath = "/");
  void setAttribute(const std::string& name, const std::vector<double>& values,
                    const std::string& objectPath = "/");
  void setAttribute(const std::string& name, const std::vector<std::string>& values,
                    const std::string& objectPath = "/");
  bool hasAttribute(const std::string& name, const std::string& objectPath = "/") const;
  // Names of an object's attributes, in alphabetical order.
  std::vector<std::string> listAttributes(const std::string& objectPath = "/") const;
  // As datasetElementType(), for an attribute.
  std::string attributeElementType(const std::string& name,
                                   const std::string& objectPath = "/") const;
  std::string stringAttribute(const std::string& name, const std::string& objectPath = "/") const;
  int64_t intAttribute(const std::string& name, const std::string& objectPath = "/") const;
  double doubleAttribute(const std::string& name, const std::string& objectPath = "/") const;
  std::vector<int64_t> intArrayAttribute(const std::string& name,
                                         const std::string& objectPath = "/") const;
  std::vector<double> doubleArrayAttribute(const std::string& name,
                                           const std::string& objectPath = "/") const;
  std::vector<std::string> stringArrayAttribute(const std::string& name,
                                                const std::string& objectPath = "/") const;

 private:
  Hdf5File(std::string path, Hdf5Handle file, bool readOnly, uint64_t size)
      : path_(std::move(path)), file_(std::move(file)), readOnly_(readOnly), size_(size) {}
  // Throws for `objectPath`, where `what` failed: the InputError of a damaged file when the file
  // is read-only, a SystemError otherwise.
  [[noreturn]] void fail(const std::string& objectPath, const std::string& what) const;
  hid_t check(hid_t id, const char* call, const std::string& objectPath) const;
  void checkStatus(herr_t status, const char* call, const std::string& objectPath) const;
  // Runs `read`; a length the standard library refuses or cannot allocate (a damaged size that
  // slipped past the checks) becomes fail().
  template <typename Read>
  auto guarded(const std::string& objectPath, Read&& read) const -> decltype(read());
  // Refuses (fail()) elements of `elementSize` bytes in `shape` that a read-only file is too
  // small to hold: a damaged extent, before anything is allocated for it.
  void checkFitsInFile(const std::string& objectPath, const std::vector<hsize_t>& shape,
                       size_t elementSize) const;
  std::vector<hsize_t> spaceShape(hid_t space, const std::string& objectPath) const;
  Hdf5Handle openObject(const std::string& objectPath) const;
  Hdf5Handle openAttribute(const std::string& name, const std::string& objectPath) const;
  void writeAttribute(const std::string& name, const std::string& objectPath, hid_t type,
                      const std::vector<hsize_t>& shape, const void* data);
  void writeRawDataset(const std::string& name, hid_t type, const std::vector<hsize_t>& shape,
                       const void* data);
  void readRawDataset(const std::string& name, hid_t type, void* out, size_t elementCount) const;
  void readRawRange(const std::string& name, hid_t type, hsize_t first, hsize_t count,
                    void* out) const;
  // Opens an attribute, refuses (InputError: `expectation`) a stored type `accepts` rejects, and
  // reads its elements converted to `memoryType`.
  template <typename T>
  std::vector<T> readAttribute(const std::string& name, const std::string& objectPath,
                               hid_t memoryType, bool (*accepts)(hid_t),
                               const char* expectation) const;
  std::vector<hsize_t> attributeShape(const Hdf5Handle& attribute, hid_t storedType,
                                      const std::string& objectPath) const;
  std::string describe(const std::string& objectPath) const;

  std::string path_;
  Hdf5Handle file_;
  bool readOnly_ = false;
  uint64_t size_ = 0;  // bytes, of a read-only file
};

template <typename Read>
auto Hdf5File::guarded(const std::string& objectPath, Read&& read) const -> decltype(read()) {
  try {
    return read();
  } catch (const std::length_error& error) {
    fail(objectPath, error.what());
  } catch (const std::bad_alloc&) {
    fail(objectPath, "a size this machine cannot allocate");
  }
}

template <typename T>
void Hdf5File::writeDataset(const std::string& name, const T* data,
                            const std::vector<hsize_t>& shape) {
  writeRawDataset(name, hdf5NativeType<T>(), shape, data);
}

template <typename T>
void Hdf5File::readDataset(const std::string& name, T* out, size_t elementCount) const {
  readRawDataset(name, hdf5NativeType<T>(), out, elementCount);
}

template <typename T>
void Hdf5File::readRange(const std::string& name, hsize_t first, hsize_t count, T* out) const {
  readRawRange(name, hdf5NativeType<T>(), first, count, out);
}

template <typename T>
std::vector<T> Hdf5File::readVector(const std::string& name) const {
  size_t count = 1;
  for (hsize_t extent : datasetShape(name)) count *= extent;
  std::vector<T> values = guarded(name, [&] { return std::vector<T>(count); });
  readDataset(name, values.data(), count);
  return values;
}

}  // namespace mu
