#include "pipeline/io/hdf5_file.h"

#include <mutex>

#include "pipeline/base/error.h"

namespace mu {
namespace {

// HDF5 prints its whole error stack to stderr by default; we report one line ourselves.
void silenceHdf5ErrorStack() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

hid_t check(hid_t id, const char* call, const std::string& where) {
  if (id < 0) throw SystemError(std::string(call) + " failed for " + where);
  return id;
}

void checkStatus(herr_t status, const char* call, const std::string& where) {
  if (status < 0) throw SystemError(std::string(call) + " failed for " + where);
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
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) throw SystemError(path + ": cannot create HDF5 file");
  return Hdf5File(path, Hdf5Handle(id, H5Fclose));
}

Hdf5File Hdf5File::openReadOnly(const std::string& path) {
  silenceHdf5ErrorStack();
#if H5_VERSION_GE(1, 12, 0)
  const htri_t isHdf5 = H5Fis_accessible(path.c_str(), H5P_DEFAULT);
#else
  const htri_t isHdf5 = H5Fis_hdf5(path.c_str());
#endif
  if (isHdf5 <= 0) {
    throw InputError(path, "file", "expected a readable HDF5 file");
  }
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw InputError(path, "file", "expected a readable HDF5 file");
  return Hdf5File(path, Hdf5Handle(id, H5Fclose));
}

Hdf5File Hdf5File::openReadWrite(const std::string& path) {
  silenceHdf5ErrorStack();
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (id < 0) throw InputError(path, "file", "expected a writable HDF5 file");
  return Hdf5File(path, Hdf5Handle(id, H5Fclose));
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
    if (H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    start = end + 1;
  }
  return true;
}

void Hdf5File::createGroup(const std::string& groupPath) {
  Hdf5Handle links = linkCreationWithIntermediateGroups();
  Hdf5Handle group(
      check(H5Gcreate2(file_.get(), groupPath.c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
            "H5Gcreate2", describe(groupPath)),
      H5Gclose);
}

std::vector<std::string> Hdf5File::listGroup(const std::string& groupPath) const {
  Hdf5Handle group(
      check(H5Gopen2(file_.get(), groupPath.c_str(), H5P_DEFAULT), "H5Gopen2", describe(groupPath)),
      H5Gclose);
  H5G_info_t info;
  checkStatus(H5Gget_info(group.get(), &info), "H5Gget_info", describe(groupPath));
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t length = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0,
                                        H5P_DEFAULT);
    std::string name(static_cast<size_t>(length), '\0');
    H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                       name.size() + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

void Hdf5File::writeRawDataset(const std::string& name, hid_t type,
                               const std::vector<hsize_t>& shape, const void* data) {
  Hdf5Handle space(check(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr),
                         "H5Screate_simple", describe(name)),
                   H5Sclose);
  Hdf5Handle links = linkCreationWithIntermediateGroups();
  Hdf5Handle dataset(check(H5Dcreate2(file_.get(), name.c_str(), type, space.get(), links.get(),
                                      H5P_DEFAULT, H5P_DEFAULT),
                           "H5Dcreate2", describe(name)),
                     H5Dclose);
  checkStatus(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite",
              describe(name));
}

std::vector<hsize_t> Hdf5File::datasetShape(const std::string& name) const {
  if (!exists(name)) throw InputError(path_, name, "expected this dataset to exist");
  Hdf5Handle dataset(
      check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", describe(name)),
      H5Dclose);
  Hdf5Handle space(H5Dget_space(dataset.get()), H5Sclose);
  int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> shape(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr);
  return shape;
}

std::string Hdf5File::datasetElementType(const std::string& name) const {
  if (!exists(name)) throw InputError(path_, name, "expected this dataset to exist");
  Hdf5Handle dataset(
      check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", describe(name)),
      H5Dclose);
  Hdf5Handle type(check(H5Dget_type(dataset.get()), "H5Dget_type", describe(name)), H5Tclose);
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
  Hdf5Handle dataset(
      check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", describe(name)),
      H5Dclose);
  Hdf5Handle fileSpace(check(H5Dget_space(dataset.get()), "H5Dget_space", describe(name)),
                       H5Sclose);
  check(H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, &first, nullptr, &count, nullptr),
        "H5Sselect_hyperslab", describe(name));
  Hdf5Handle memorySpace(
      check(H5Screate_simple(1, &count, nullptr), "H5Screate_simple", describe(name)), H5Sclose);
  if (H5Dread(dataset.get(), type, memorySpace.get(), fileSpace.get(), H5P_DEFAULT, out) < 0) {
    throw InputError(path_, name, "cannot be read (corrupt file or incompatible element type)");
  }
}

std::optional<uint64_t> Hdf5File::contiguousOffset(const std::string& name) const {
  Hdf5Handle dataset(
      check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", describe(name)),
      H5Dclose);
  Hdf5Handle properties(
      check(H5Dget_create_plist(dataset.get()), "H5Dget_create_plist", describe(name)), H5Pclose);
  if (H5Pget_layout(properties.get()) != H5D_CONTIGUOUS) return std::nullopt;
  const haddr_t offset = H5Dget_offset(dataset.get());
  if (offset == HADDR_UNDEF) return std::nullopt;
  return static_cast<uint64_t>(offset);
}

void Hdf5File::remove(const std::string& objectPath) {
  check(H5Ldelete(file_.get(), objectPath.c_str(), H5P_DEFAULT), "H5Ldelete", describe(objectPath));
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
  Hdf5Handle dataset(
      check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), "H5Dopen2", describe(name)),
      H5Dclose);
  if (H5Dread(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
    throw InputError(path_, name, "cannot be read (corrupt file or incompatible element type)");
  }
}

Hdf5Handle Hdf5File::openObject(const std::string& objectPath) const {
  if (!exists(objectPath)) throw InputError(path_, objectPath, "expected this object to exist");
  return Hdf5Handle(
      check(H5Oopen(file_.get(), objectPath.c_str(), H5P_DEFAULT), "H5Oopen", describe(objectPath)),
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
            "H5Acreate2", describe(objectPath + "@" + name)),
      H5Aclose);
  checkStatus(H5Awrite(attribute.get(), type, data), "H5Awrite", describe(objectPath + "@" + name));
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
  return H5Aexists(object.get(), name.c_str()) > 0;
}

std::vector<std::string> Hdf5File::listAttributes(const std::string& objectPath) const {
  Hdf5Handle object = openObject(objectPath);
  std::vector<std::string> names;
  hsize_t position = 0;
  checkStatus(H5Aiterate2(object.get(), H5_INDEX_NAME, H5_ITER_INC, &position, collectAttributeName,
                          &names),
              "H5Aiterate2", describe(objectPath));
  return names;
}

std::string Hdf5File::attributeElementType(const std::string& name,
                                           const std::string& objectPath) const {
  Hdf5Handle attribute = openAttribute(name, objectPath);
  Hdf5Handle type(
      check(H5Aget_type(attribute.get()), "H5Aget_type", describe(objectPath + "@" + name)),
      H5Tclose);
  return elementTypeName(type.get());
}

Hdf5Handle Hdf5File::openAttribute(const std::string& name, const std::string& objectPath) const {
  if (!hasAttribute(name, objectPath)) {
    throw InputError(path_, objectPath + "@" + name, "expected this attribute to exist");
  }
  Hdf5Handle object = openObject(objectPath);
  return Hdf5Handle(check(H5Aopen(object.get(), name.c_str(), H5P_DEFAULT), "H5Aopen",
                          describe(objectPath + "@" + name)),
                    H5Aclose);
}

std::vector<hsize_t> Hdf5File::attributeShape(const Hdf5Handle& attribute) const {
  Hdf5Handle space(H5Aget_space(attribute.get()), H5Sclose);
  int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> shape(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr);
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

std::vector<std::string> Hdf5File::stringArrayAttribute(const std::string& name,
                                                        const std::string& objectPath) const {
  Hdf5Handle attribute = openAttribute(name, objectPath);
  Hdf5Handle storedType(H5Aget_type(attribute.get()), H5Tclose);
  if (H5Tget_class(storedType.get()) != H5T_STRING || H5Tis_variable_str(storedType.get()) <= 0) {
    throw InputError(path_, objectPath + "@" + name, "expected a variable-length string");
  }
  size_t count = 1;
  for (hsize_t extent : attributeShape(attribute)) count *= extent;
  std::vector<char*> texts(count, nullptr);
  Hdf5Handle type = variableStringType();
  checkStatus(H5Aread(attribute.get(), type.get(), texts.data()), "H5Aread",
              describe(objectPath + "@" + name));
  std::vector<std::string> values;
  for (char* text : texts) {
    values.emplace_back(text ? text : "");
    H5free_memory(text);
  }
  return values;
}

std::vector<int64_t> Hdf5File::intArrayAttribute(const std::string& name,
                                                 const std::string& objectPath) const {
  Hdf5Handle attribute = openAttribute(name, objectPath);
  Hdf5Handle storedType(H5Aget_type(attribute.get()), H5Tclose);
  if (H5Tget_class(storedType.get()) != H5T_INTEGER) {
    throw InputError(path_, objectPath + "@" + name, "expected an integer attribute");
  }
  size_t count = 1;
  for (hsize_t extent : attributeShape(attribute)) count *= extent;
  std::vector<int64_t> values(count);
  checkStatus(H5Aread(attribute.get(), H5T_NATIVE_INT64, values.data()), "H5Aread",
              describe(objectPath + "@" + name));
  return values;
}

std::vector<double> Hdf5File::doubleArrayAttribute(const std::string& name,
                                                   const std::string& objectPath) const {
  Hdf5Handle attribute = openAttribute(name, objectPath);
  Hdf5Handle storedType(H5Aget_type(attribute.get()), H5Tclose);
  H5T_class_t typeClass = H5Tget_class(storedType.get());
  if (typeClass != H5T_FLOAT && typeClass != H5T_INTEGER) {
    throw InputError(path_, objectPath + "@" + name, "expected a numeric attribute");
  }
  size_t count = 1;
  for (hsize_t extent : attributeShape(attribute)) count *= extent;
  std::vector<double> values(count);
  checkStatus(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, values.data()), "H5Aread",
              describe(objectPath + "@" + name));
  return values;
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
