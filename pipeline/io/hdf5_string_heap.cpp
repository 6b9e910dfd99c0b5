#include "pipeline/io/hdf5_string_heap.h"

#include <array>
#include <mutex>
#include <vector>

#include "pipeline/io/random_access_file.h"

namespace mu {
namespace {

// A stored variable-length string element: its length, then the global heap collection's
// address and the object's index in it (the file format's layout for 8-byte addresses, the
// HDF5 default and what every file we write has).
constexpr size_t kReferenceBytes = 16;
// A collection: "GCOL", version 1, 3 reserved bytes, its size in bytes (header included). Each
// object: index (2 bytes), reference count (2), reserved (4), size (8), data padded to 8 bytes.
constexpr uint64_t kCollectionHeaderBytes = 16;
constexpr uint64_t kObjectHeaderBytes = 16;
constexpr char kReferenceTag[] = "mu: global heap reference";

uint64_t littleEndian(const unsigned char* bytes, size_t count) {
  uint64_t value = 0;
  for (size_t i = count; i-- > 0;) value = (value << 8) | bytes[i];
  return value;
}

// An opaque type as wide as a stored reference: reading a string attribute as this type hands
// over the references themselves, through the conversion below, without touching the heap.
hid_t referenceType() {
  static const hid_t type = [] {
    const hid_t opaque = H5Tcreate(H5T_OPAQUE, kReferenceBytes);
    H5Tset_tag(opaque, kReferenceTag);
    return opaque;
  }();
  return type;
}

bool isReferenceType(hid_t type) {
  if (H5Tget_class(type) != H5T_OPAQUE) return false;
  char* tag = H5Tget_tag(type);
  const bool ours = tag && std::string(tag) == kReferenceTag;
  H5free_memory(tag);
  return ours;
}

// HDF5 converts a stored variable-length string to referenceType() by calling this on a buffer
// of the stored elements: they already are the references, so nothing changes. It accepts no
// other conversion, and no other layout of a stored element.
herr_t keepReferences(hid_t source, hid_t destination, H5T_cdata_t* data, size_t, size_t, size_t,
                      void*, void*, hid_t) {
  if (data->command == H5T_CONV_INIT) {
    data->need_bkg = H5T_BKG_NO;
    const bool accepted = H5Tget_class(source) == H5T_STRING && H5Tis_variable_str(source) > 0 &&
                          isReferenceType(destination);
    return accepted ? 0 : -1;
  }
  if (data->command == H5T_CONV_CONV && H5Tget_size(source) != kReferenceBytes) return -1;
  return 0;
}

void registerReferenceConversion() {
  static std::once_flag once;
  std::call_once(once, [] {
    // The library matches soft conversions by the types' internal classes: a variable-length
    // string's is "variable-length", not "string", so the source must be one.
    const hid_t variableString = H5Tcopy(H5T_C_S1);
    H5Tset_size(variableString, H5T_VARIABLE);
    H5Tregister(H5T_PERS_SOFT, "mu: keep global heap references", variableString, referenceType(),
                keepReferences);
    H5Tclose(variableString);
  });
}

// What is wrong with the collection at `address` for the object `index` of `length` bytes, or ""
// when the library can read it: the collection lies in the file, its objects tile it (as the
// library walks them), and the object is there with that size.
std::string collectionDamage(const RandomAccessFile& file, uint64_t fileSize, uint64_t address,
                             uint64_t index, uint64_t length) {
  const std::string where = "string heap at byte " + std::to_string(address);
  if (address > fileSize || fileSize - address < kCollectionHeaderBytes) {
    return where + ": outside the file";
  }
  std::array<unsigned char, kCollectionHeaderBytes> header{};
  file.read(address, header.size(), header.data());
  const uint64_t size = littleEndian(header.data() + 8, 8);
  if (std::string(header.begin(), header.begin() + 4) != "GCOL" || header[4] != 1 ||
      size < kCollectionHeaderBytes || size > fileSize - address) {
    return where + ": no heap collection";
  }
  std::vector<unsigned char> collection(size);
  file.read(address, collection.size(), collection.data());
  // The library keeps the last object of an index it meets, so the last one here counts.
  bool found = false;
  uint64_t foundSize = 0;
  uint64_t position = kCollectionHeaderBytes;
  // The library's walk: an object header needs 16 bytes, fewer left over are free space.
  while (size - position >= kObjectHeaderBytes) {
    const unsigned char* object = collection.data() + position;
    const uint64_t objectIndex = littleEndian(object, 2);
    const uint64_t objectSize = littleEndian(object + 8, 8);
    // Object 0 is the free space, whose size counts its header; the others' sizes do not, and
    // their data is padded to 8 bytes.
    const uint64_t left = size - position;
    if (objectSize > left)
      return where + ": object " + std::to_string(objectIndex) + " overruns it";
    const uint64_t extent =
        objectIndex == 0 ? objectSize : kObjectHeaderBytes + ((objectSize + 7) & ~uint64_t{7});
    if (extent == 0 || extent > left) {
      return where + ": object " + std::to_string(objectIndex) + " overruns it";
    }
    if (objectIndex == index) {
      found = true;
      foundSize = objectSize;
    }
    position += extent;
  }
  if (!found) return where + ": no object " + std::to_string(index);
  if (foundSize != length) {
    return where + ": object " + std::to_string(index) + " holds " + std::to_string(foundSize) +
           " bytes for a string of " + std::to_string(length);
  }
  return "";
}

}  // namespace

std::string stringHeapDamage(hid_t attribute, size_t count, const RandomAccessFile& file,
                             uint64_t fileSize) {
  registerReferenceConversion();
  std::vector<unsigned char> references(count * kReferenceBytes);
  if (H5Aread(attribute, referenceType(), references.data()) < 0) {
    return "its strings are not stored as this program stores them";
  }
  for (size_t i = 0; i < count; ++i) {
    const unsigned char* reference = references.data() + i * kReferenceBytes;
    const uint64_t length = littleEndian(reference, 4);
    const uint64_t address = littleEndian(reference + 4, 8);
    const uint64_t index = littleEndian(reference + 12, 4);
    if (length > fileSize) {
      return "a string of " + std::to_string(length) + " bytes in a file of " +
             std::to_string(fileSize);
    }
    if (address == 0) continue;  // the library reads nothing for it (an absent string)
    std::string damage = collectionDamage(file, fileSize, address, index, length);
    if (!damage.empty()) return damage;
  }
  return "";
}

}  // namespace mu
