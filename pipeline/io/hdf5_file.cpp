#include "pipeline/io/hdf5_file.h"

#include <fstream>
#include <limits>
#include <mutex>

#include "pipeline/base/error.h"
#include "pipeline/io/hdf5_error_stack.h"
#include "pipeline/io/hdf5_string_heap.h"
#include "pipeline/io/random_access_file.h"

namespace mu {
namespace {

// HDF5 prints its whole error stack to stderr by default; we report one line ourselves.
void silenceHdf5ErrorStack() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

// HDF5 1.8's format (superblock version 2, version-2 object headers, new-style groups) is the
// oldest whose metadata carries checksums. Libraries before 1.10.2 have no name for it, but their
// latest format is it.
Hdf5Handle checksummedFormat() {
  Hdf5Handle list(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
#if H5_VERSION_GE(1, 10, 2)
  H5Pset_libver_bounds(list.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST);
#else
  H5Pset_libver_bounds(list.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
#endif
  return list;
}

Hdf5Handle variableStringType() {
  Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

// Creates every missing group on the way to `path` (like `mkdir -p`), so callers name datasets
// by their full path.
Hdf5Handle linkCreationWithIntermediateGroups() {
  Hdf5Handle list(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(list.get(), 1);
  return list;
}

// numpy's name for a stored element type: readers in other languages see the same names.
std::string elementTypeName(hid_t type) {
  const size_t bits = H5Tget_size(type) * 8;
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_FLOAT:
      return "float" + std::to_string(bits);
    case H5T_STRING:
      return "string";
    default:
      return "other";
  }
}

// The stored types each attribute reader converts from.
bool isVariableString(hid_t type) {
  return H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0;
}
bool isInteger(hid_t type) {
  return H5Tget_class(type) == H5T_INTEGER;
}
bool isNumber(hid_t type) {
  return isInteger(type) || H5Tget_class(type) == H5T_FLOAT;
}

// "<call> failed", with the library's own reason when it recorded one: read at once, before another
// call replaces it.
std::string failedCall(const char* call) {
  const std::string detail = lastHdf5Failure().detail;
  return std::string(call) + " failed" + (detail.empty() ? "" : ": " + detail);
}

herr_t collectAttributeName(hid_t, const char* name, const H5A_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

}  // namespace

template <>
hid_t hdf5NativeType<uint8_t>() {
  return H5T_NATIVE_UINT8;
}
template <>
hid_t hdf5NativeType<int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t hdf5NativeType<int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t hdf5NativeType<uint64_t>() {
  return H5T_NATIVE_UINT64;
}
template <>
hid_t hdf5NativeType<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t hdf5NativeType<double>() {
  return H5T_NATIVE_DOUBLE;
}

Hdf5File Hdf5File::create(const std::string& path) {
  silenceHdf5ErrorStack();
  Hdf5Handle format = checksummedFormat();
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, format.get());
  if (id < 0) throw SystemError(path + ": cannot create HDF5 file");
  return Hdf5File(path, Hdf5Handle(id, H5Fclose), false, 0);
}

Hdf5File Hdf5File::openReadOnly(const std::string& path) {
  silenceHdf5ErrorStack();
  if (!std::ifstream(path)) throw InputError(path, "file", "expected a readable HDF5 file");
  const auto damaged = [&](const std::string& what) {
    return InputError(path, "file", "damaged or not written by this program (" + what + ")");
  };
#if H5_VERSION_GE(1, 12, 0)
  const htri_t isHdf5 = H5Fis_accessible(path.c_str(), H5P_DEFAULT);
#else
  const htri_t isHdf5 = H5Fis_hdf5(path.c_str());
#endif
  if (isHdf5 <= 0) throw damaged("no HDF5 signature");
  Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file.get() < 0) {
    // A refused lock is another program's or the file system's doing (some network file
    // systems have no locks), not damage to the file.
    if (lastHdf5Failure().lockRefused) {
      throw SystemError(path +
                        ": HDF5 cannot lock the file (another program holds a lock on it, or the "
                        "file system has none: then set HDF5_USE_FILE_LOCKING=FALSE)");
    }
    throw damaged(failedCall("H5Fopen"));
  }
  hsize_t size = 0;
  if (H5Fget_filesize(file.get(), &size) < 0) throw damaged(failedCall("H5Fget_filesize"));
  return Hdf5File(path, std::move(file), true, size);
}

Hdf5File Hdf5File::openReadWrite(const std::string& path) {
  silenceHdf5ErrorStack();
  // The same format as create(), so that objects added to a file keep its checksums.
  Hdf5Handle format = checksummedFormat();
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, format.get());
  if (id < 0) throw InputError(path, "file", "expected a writable HDF5 file");
  return Hdf5File(path, Hdf5Handle(id, H5Fclose), false, 0);
}

void Hdf5File::fail(const std::string& objectPath, const std::string& what) const {
  if (readOnly_) {
    throw InputError(path_, objectPath, "damaged or not written by this program (" + what + ")");
  }
  throw SystemError(what + " for " + describe(objectPath));
}

hid_t Hdf5File::check(hid_t id, const char* call, const std::string& objectPath) const {
  if (id < 0) fail(objectPath, failedCall(call));
  return id;
}

void Hdf5File::checkStatus(herr_t status, const char* call, const std::string& objectPath) const {
  if (status < 0) fail(objectPath, failedCall(call));
}

void Hdf5File::checkFitsInFile(const std::string& objectPath, const std::vector<hsize_t>& shape,
                               size_t elementSize) const {
  if (!readOnly_) return;
  uint64_t bytes = elementSize;
  for (hsize_t extent : shape) {
    if (extent != 0 && bytes > std::numeric_limits<uint64_t>::max() / extent) {
      fail(objectPath, "an extent of " + std::to_string(extent) + " overflows");
    }
    bytes *= extent;
  }
  if (bytes > size_) {
    fail(objectPath,
         std::to_string(bytes) + " bytes of elements in a file of " + std::to_string(size_));
  }
}

std::vector<hsize_t> Hdf5File::spaceShape(hid_t space, const std::string& objectPath) const {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) fail(objectPath, failedCall("H5Sget_simple_extent_ndims"));
  if (rank > H5S_MAX_RANK) fail(objectPath, "rank " + std::to_string(rank));
  std::vector<hsize_t> shape(static_cast<size_t>(rank));
  checkStatus(H5Sget_simple_extent_dims(space, shape.data(), nullptr), "H5Sget_simple_extent_dims",
              objectPath);
  return shape;
}

void Hdf5File::flush() {
  checkStatus(H5Fflush(file_.get(), H5F_SCOPE_LOCAL), "H5Fflush", path_);
}

std::string Hdf5File::describe(const std::string& objectPath) const {
  return path_ + ":" + objectPath;
}

bool Hdf5File::exists(const std::string& objectPath) const {
  // Walk the path one link at a time: H5Lexists fails (rather than returning false) when an
  // intermediate group is missing.
  std::string prefix;
  size_t start = objectPath.front() == '/' ? 1 : 0;
  while (start <= objectPath.size()) {
    size_t end = objectPath.find('/', start);
    if (end == std::string::npos) end = objectPath.size();
    prefix += "/" + objectPath.substr(start, end - start);
    const htri_t found = H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT);
    if (found < 0) fail(prefix, failedCall("H5Lexists"));
    if (found == 0) return false;
    start = end + 1;
  }
  return true;
}

void Hdf5File::createGroup(const std::string& groupPath) {
  Hdf5Handle links = linkCreationWithIntermediateGroups();
  Hdf5Handle group(
      check(H5Gcreate2(file_.get(), groupPath.c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
            "H5Gcreate2", groupPath),
      H5Gclose);
}

std::vector<std::string> Hdf5File::listGroup(const std::string& groupPath) const {
  Hdf5Handle group(
      check(H5Gopen2(file_.get(), groupPath.c_str(), H5P_DEFAULT), "H5Gopen2", groupPath),
      H5Gclose);
  H5G_info_t info;
  checkStatus(H5Gget_info(group.get(), &info), "H5Gget_info", groupPath);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                              nullptr, 0, H5P_DEFAULT);
    if (length < 0) fail(groupPath, failedCall("H5Lget_name_by_idx"));
    if (readOnly_ && static_cast<uint64_t>(length) > size_) {
      fail(groupPath, "link " + std::to_string(i) + " has a name of " + std::to_string(length) +
                          " bytes in a file of " + std::to_string(size_));
    }
    std::string name =
        guarded(groupPath, [&] { return std::string(static_cast<size_t>(length), '\0'); });
    check(H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                             name.size() + 1, H5P_DEFAULT),
          "H5Lget_name_by_idx", groupPath);
    names.push_back(name);
  }
  return names;
}

void Hdf5File::writeRawDataset(const std::string& name, hid_t type,
                               const std::vector<hsize_t>& shape, const void* data) {
  Hdf5Handle space(check(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr),
                         "H5Screate_simple", name),
                   H5Sclose);
  Hdf5Handle links = linkCreationWithIntermediateGroups();
  Hdf5Handle dataset(check(H5Dcreate2(file_.get(), name.c_str(), type, space.get(), links.get(),
                                      H5P_DEFAULT, H5P_DEFAULT),
                           "H5Dcreate2", name),
                     H5Dclose);
  checkStatus(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite", name);
}

std::vector<hsize_t> Hdf5File::datasetShape(const std::string& name) const {
  if (!exists(name)) throw InputError(path_, name, "expected this dataset to exist");
  Hdf5Handle dataset(check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", name),
                     H5Dclose);
  Hdf5Handle space(check(H5Dget_space(dataset.get()), "H5Dget_space", name), H5Sclose);
  const std::vector<hsize_t> shape = spaceShape(space.get(), name);
  Hdf5Handle type(check(H5Dget_type(dataset.get()), "H5Dget_type", name), H5Tclose);
  Hdf5Handle properties(check(H5Dget_create_plist(dataset.get()), "H5Dget_create_plist", name),
                        H5Pclose);
  // Compressed chunks may hold more elements than the file has bytes; other layouts may not.
  if (H5Pget_layout(properties.get()) != H5D_CHUNKED) {
    checkFitsInFile(name, shape, H5Tget_size(type.get()));
  }
  return shape;
}

std::string Hdf5File::datasetElementType(const std::string& name) const {
  if (!exists(name)) throw InputError(path_, name, "expected this dataset to exist");
  Hdf5Handle dataset(check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", name),
                     H5Dclose);
  Hdf5Handle type(check(H5Dget_type(dataset.get()), "H5Dget_type", name), H5Tclose);
  return elementTypeName(type.get());
}

void Hdf5File::readRawRange(const std::string& name, hid_t type, hsize_t first, hsize_t count,
                            void* out) const {
  const std::vector<hsize_t> shape = datasetShape(name);
  if (shape.size() != 1 || first + count > shape[0]) {
    throw InputError(path_, name,
                     "elements [" + std::to_string(first) + ", " + std::to_string(first + count) +
                         ") of a one-dimensional dataset (damaged offsets?)");
  }
  Hdf5Handle dataset(check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", name),
                     H5Dclose);
  Hdf5Handle fileSpace(check(H5Dget_space(dataset.get()), "H5Dget_space", name), H5Sclose);
  check(H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, &first, nullptr, &count, nullptr),
        "H5Sselect_hyperslab", name);
  Hdf5Handle memorySpace(check(H5Screate_simple(1, &count, nullptr), "H5Screate_simple", name),
                         H5Sclose);
  checkStatus(H5Dread(dataset.get(), type, memorySpace.get(), fileSpace.get(), H5P_DEFAULT, out),
              "H5Dread", name);
}

std::optional<uint64_t> Hdf5File::contiguousOffset(const std::string& name) const {
  Hdf5Handle dataset(check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", name),
                     H5Dclose);
  Hdf5Handle properties(check(H5Dget_create_plist(dataset.get()), "H5Dget_create_plist", name),
                        H5Pclose);
  if (H5Pget_layout(properties.get()) != H5D_CONTIGUOUS) return std::nullopt;
  const haddr_t offset = H5Dget_offset(dataset.get());
  if (offset == HADDR_UNDEF) return std::nullopt;
  return static_cast<uint64_t>(offset);
}

void Hdf5File::remove(const std::string& objectPath) {
  check(H5Ldelete(file_.get(), objectPath.c_str(), H5P_DEFAULT), "H5Ldelete", objectPath);
}

void Hdf5File::readRawDataset(const std::string& name, hid_t type, void* out,
                              size_t elementCount) const {
  size_t stored = 1;
  for (hsize_t extent : datasetShape(name)) stored *= extent;
  if (stored != elementCount) {
    throw InputError(
        path_, name,
        "expected " + std::to_string(elementCount) + " elements, found " + std::to_string(stored));
  }
  Hdf5Handle dataset(check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", name),
                     H5Dclose);
  checkStatus(H5Dread(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), "H5Dread", name);
}

Hdf5Handle Hdf5File::openObject(const std::string& objectPath) const {
  if (!exists(objectPath)) throw InputError(path_, objectPath, "expected this object to exist");
  return Hdf5Handle(
      check(H5Oopen(file_.get(), objectPath.c_str(), H5P_DEFAULT), "H5Oopen", objectPath),
      H5Oclose);
}

void Hdf5File::writeAttribute(const std::string& name, const std::string& objectPath, hid_t type,
                              const std::vector<hsize_t>& shape, const void* data) {
  Hdf5Handle object = openObject(objectPath);
  if (H5Aexists(object.get(), name.c_str()) > 0) H5Adelete(object.get(), name.c_str());
  Hdf5Handle space(shape.empty()
                       ? H5Screate(H5S_SCALAR)
                       : H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr),
                   H5Sclose);
  Hdf5Handle attribute(
      check(H5Acreate2(object.get(), name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
            "H5Acreate2", objectPath + "@" + name),
      H5Aclose);
  checkStatus(H5Awrite(attribute.get(), type, data), "H5Awrite", objectPath + "@" + name);
}

void Hdf5File::setAttribute(const std::string& name, const std::string& value,
                            const std::string& objectPath) {
  Hdf5Handle type = variableStringType();
  const char* text = value.c_str();
  writeAttribute(name, objectPath, type.get(), {}, &text);
}

void Hdf5File::setAttribute(const std::string& name, int64_t value, const std::string& objectPath) {
  writeAttribute(name, objectPath, H5T_NATIVE_INT64, {}, &value);
}

void Hdf5File::setAttribute(const std::string& name, double value, const std::string& objectPath) {
  writeAttribute(name, objectPath, H5T_NATIVE_DOUBLE, {}, &value);
}

void Hdf5File::setAttribute(const std::string& name, const std::vector<int64_t>& values,
                            const std::string& objectPath) {
  writeAttribute(name, objectPath, H5T_NATIVE_INT64, {values.size()}, values.data());
}

void Hdf5File::setAttribute(const std::string& name, const std::vector<double>& values,
                            const std::string& objectPath) {
  writeAttribute(name, objectPath, H5T_NATIVE_DOUBLE, {values.size()}, values.data());
}

void Hdf5File::setAttribute(const std::string& name, const std::vector<std::string>& values,
                            const std::string& objectPath) {
  Hdf5Handle type = variableStringType();
  std::vector<const char*> texts;
  for (const std::string& value : values) texts.push_back(value.c_str());
  writeAttribute(name, objectPath, type.get(), {values.size()}, texts.data());
}

bool Hdf5File::hasAttribute(const std::string& name, const std::string& objectPath) const {
  if (!exists(objectPath)) return false;
  Hdf5Handle object = openObject(objectPath);
  const htri_t found = H5Aexists(object.get(), name.c_str());
  if (found < 0) fail(objectPath + "@" + name, failedCall("H5Aexists"));
  return found > 0;
}

std::vector<std::string> Hdf5File::listAttributes(const std::string& objectPath) const {
  Hdf5Handle object = openObject(objectPath);
  std::vector<std::string> names;
  hsize_t position = 0;
  checkStatus(H5Aiterate2(object.get(), H5_INDEX_NAME, H5_ITER_INC, &position, collectAttributeName,
                          &names),
              "H5Aiterate2", objectPath);
  return names;
}

std::string Hdf5File::attributeElementType(const std::string& name,
                                           const std::string& objectPath) const {
  Hdf5Handle attribute = openAttribute(name, objectPath);
  Hdf5Handle type(check(H5Aget_type(attribute.get()), "H5Aget_type", objectPath + "@" + name),
                  H5Tclose);
  return elementTypeName(type.get());
}

Hdf5Handle Hdf5File::openAttribute(const std::string& name, const std::string& objectPath) const {
  if (!hasAttribute(name, objectPath)) {
    throw InputError(path_, objectPath + "@" + name, "expected this attribute to exist");
  }
  Hdf5Handle object = openObject(objectPath);
  return Hdf5Handle(
      check(H5Aopen(object.get(), name.c_str(), H5P_DEFAULT), "H5Aopen", objectPath + "@" + name),
      H5Aclose);
}

std::vector<hsize_t> Hdf5File::attributeShape(const Hdf5Handle& attribute, hid_t storedType,
                                              const std::string& objectPath) const {
  Hdf5Handle space(check(H5Aget_space(attribute.get()), "H5Aget_space", objectPath), H5Sclose);
  const std::vector<hsize_t> shape = spaceShape(space.get(), objectPath);
  checkFitsInFile(objectPath, shape, H5Tget_size(storedType));
  return shape;
}

std::string Hdf5File::stringAttribute(const std::string& name,
                                      const std::string& objectPath) const {
  std::vector<std::string> values = stringArrayAttribute(name, objectPath);
  if (values.size() != 1) {
    throw InputError(path_, objectPath + "@" + name, "expected a single string");
  }
  return values.front();
}

template <typename T>
std::vector<T> Hdf5File::readAttribute(const std::string& name, const std::string& objectPath,
                                       hid_t memoryType, bool (*accepts)(hid_t),
                                       const char* expectation) const {
  const std::string where = objectPath + "@" + name;
  Hdf5Handle attribute = openAttribute(name, objectPath);
  Hdf5Handle storedType(check(H5Aget_type(attribute.get()), "H5Aget_type", where), H5Tclose);
  if (!accepts(storedType.get())) throw InputError(path_, where, expectation);
  size_t count = 1;
  for (hsize_t extent : attributeShape(attribute, storedType.get(), where)) count *= extent;
  if (readOnly_ && H5Tis_variable_str(storedType.get()) > 0) {
    const std::string damage =
        stringHeapDamage(attribute.get(), count, RandomAccessFile(path_), size_);
    if (!damage.empty()) fail(where, damage);
  }
  std::vector<T> values = guarded(where, [&] { return std::vector<T>(count); });
  checkStatus(H5Aread(attribute.get(), memoryType, values.data()), "H5Aread", where);
  return values;
}

std::vector<std::string> Hdf5File::stringArrayAttribute(const std::string& name,
                                                        const std::string& objectPath) const {
  Hdf5Handle type = variableStringType();
  std::vector<char*> texts = readAttribute<char*>(name, objectPath, type.get(), isVariableString,
                                                  "expected a variable-length string");
  std::vector<std::string> values;
  for (char* text : texts) {
    values.emplace_back(text ? text : "");
    H5free_memory(text);
  }
  return values;
}

std::vector<int64_t> Hdf5File::intArrayAttribute(const std::string& name,
                                                 const std::string& objectPath) const {
  return readAttribute<int64_t>(name, objectPath, H5T_NATIVE_INT64, isInteger,
                                "expected an integer attribute");
}

std::vector<double> Hdf5File::doubleArrayAttribute(const std::string& name,
                                                   const std::string& objectPath) const {
  return readAttribute<double>(name, objectPath, H5T_NATIVE_DOUBLE, isNumber,
                               "expected a numeric attribute");
}

int64_t Hdf5File::intAttribute(const std::string& name, const std::string& objectPath) const {
  std::vector<int64_t> values = intArrayAttribute(name, objectPath);
  if (values.size() != 1) {
    throw InputError(path_, objectPath + "@" + name, "expected a single integer");
  }
  return values.front();
}

double Hdf5File::doubleAttribute(const std::string& name, const std::string& objectPath) const {
  std::vector<double> values = doubleArrayAttribute(name, objectPath);
  if (values.size() != 1) {
    throw InputError(path_, objectPath + "@" + name, "expected a single number");
  }
  return values.front();
}

}  // namespace mu
