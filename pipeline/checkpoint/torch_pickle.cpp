#include "pipeline/checkpoint/torch_pickle.h"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

#include "pipeline/base/error.h"

namespace mu {

PickleValuePtr PickleValue::find(const std::string& key) const {
  for (const auto& [k, v] : entries) {
    if (k->kind == Kind::kString && k->text == key) return v;
  }
  return nullptr;
}

std::string PickleValue::describe() const {
  switch (kind) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kBytes:
      return "bytes";
    case Kind::kTensor:
      return "tensor";
    case Kind::kList:
      return "list";
    case Kind::kDict:
      return "dict";
    case Kind::kOpaque:
      return text;
  }
  return "?";
}

namespace {

using Kind = PickleValue::Kind;

PickleValuePtr makeValue(Kind kind) {
  auto value = std::make_shared<PickleValue>();
  value->kind = kind;
  return value;
}

PickleValuePtr makeText(Kind kind, std::string text) {
  auto value = makeValue(kind);
  value->text = std::move(text);
  return value;
}

PickleValuePtr makeInt(int64_t integer, Kind kind = Kind::kInt) {
  auto value = makeValue(kind);
  value->integer = integer;
  return value;
}

// Storage classes as torch.save names them, with their element types; the first class of a type
// is the one written.
const std::vector<std::pair<std::string, c10::ScalarType>>& storageClasses() {
  static const std::vector<std::pair<std::string, c10::ScalarType>> kClasses = {
      {"torch.FloatStorage", c10::kFloat},  {"torch.DoubleStorage", c10::kDouble},
      {"torch.HalfStorage", c10::kHalf},    {"torch.BFloat16Storage", c10::kBFloat16},
      {"torch.LongStorage", c10::kLong},    {"torch.IntStorage", c10::kInt},
      {"torch.ShortStorage", c10::kShort},  {"torch.CharStorage", c10::kChar},
      {"torch.ByteStorage", c10::kByte},    {"torch.BoolStorage", c10::kBool},
      {"torch.UntypedStorage", c10::kByte},
  };
  return kClasses;
}

c10::ScalarType storageElementType(const std::string& storageClass) {
  for (const auto& [name, type] : storageClasses()) {
    if (name == storageClass) return type;
  }
  throw InputError("storage of type '" + storageClass + "'");
}

std::string storageClassName(c10::ScalarType type) {
  for (const auto& [name, classType] : storageClasses()) {
    if (classType == type) return name;
  }
  throw InputError(std::string("a tensor type torch.save can store; got ") + c10::toString(type));
}

// The opcodes, named as in Python's pickletools.
// clang-format off
enum Opcode : unsigned char {
  kMark = '(', kStop = '.', kPop = '0', kPopMark = '1', kDup = '2', kBinFloat = 'G',
  kBinInt = 'J', kBinInt1 = 'K', kBinInt2 = 'M', kNone = 'N', kBinPersId = 'Q', kReduce = 'R',
  kBinString = 'T', kShortBinString = 'U', kBinUnicode = 'X', kBinBytes = 'B',
  kShortBinBytes = 'C', kAppend = 'a', kBuild = 'b', kGlobal = 'c', kDict = 'd', kAppends = 'e',
  kBinGet = 'h', kLongBinGet = 'j', kList = 'l', kBinPut = 'q', kLongBinPut = 'r', kSetItem = 's',
  kTuple = 't', kSetItems = 'u', kEmptyDict = '}', kEmptyList = ']', kEmptyTuple = ')',
  kProto = 0x80, kNewObj = 0x81, kTuple1 = 0x85, kTuple2 = 0x86, kTuple3 = 0x87, kNewTrue = 0x88,
  kNewFalse = 0x89, kLong1 = 0x8a, kLong4 = 0x8b, kShortBinUnicode = 0x8c, kBinUnicode8 = 0x8d,
  kBinBytes8 = 0x8e, kEmptySet = 0x8f, kAddItems = 0x90, kFrozenSet = 0x91, kNewObjEx = 0x92,
  kStackGlobal = 0x93, kMemoize = 0x94, kFrame = 0x95,
};
// clang-format on

class Unpickler {
 public:
  Unpickler(std::string path, caffe2::serialize::PyTorchStreamReader& archive,
            const std::vector<char>& program)
      : path_(std::move(path)), archive_(archive), program_(program) {}

  PickleValuePtr run() {
    while (true) {
      const size_t at = position_;
      const auto opcode = static_cast<unsigned char>(readBytes(1)[0]);
      if (opcode == kStop) return pop();
      // LibTorch refuses some tensors itself (a negative size, say): bad input all the same.
      try {
        step(opcode);
      } catch (const InputError& error) {
        throw badPickle(at, error.what());
      } catch (const c10::Error& error) {
        throw badPickle(at, error.msg().substr(0, error.msg().find('\n')));
      }
    }
  }

 private:
  InputError badPickle(size_t at, const std::string& what) const {
    return InputError(path_, "data.pkl at byte " + std::to_string(at),
                      "a pickle of containers, numbers, strings and tensors: " + what);
  }
  const char* readBytes(size_t count) {
    if (count > program_.size() - position_) fail("the pickle ends early");
    const char* bytes = program_.data() + position_;
    position_ += count;
    return bytes;
  }
  // Unsigned little-endian integer of `count` bytes.
  uint64_t readUnsigned(size_t count) {
    const char* bytes = readBytes(count);
    uint64_t value = 0;
    for (size_t i = count; i-- > 0;) value = value << 8 | static_cast<unsigned char>(bytes[i]);
    return value;
  }
  std::string readString(size_t lengthBytes) {
    const uint64_t length = readUnsigned(lengthBytes);
    if (length > program_.size()) fail("a string longer than the file");
    return std::string(readBytes(length), length);
  }
  std::string readLine() {
    std::string line;
    for (char c = *readBytes(1); c != '\n'; c = *readBytes(1)) line += c;
    return line;
  }
  [[noreturn]] static void fail(const std::string& what) { throw InputError(what); }

  PickleValuePtr pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) {
      fail("an opcode takes more values than the stack holds");
    }
    PickleValuePtr value = stack_.back();
    stack_.pop_back();
    return value;
  }
  PickleValuePtr& top() {
    if (stack_.empty()) fail("an opcode needs a value on an empty stack");
    return stack_.back();
  }
  // The values pushed since the last MARK, which is removed.
  std::vector<PickleValuePtr> popToMark() {
    if (marks_.empty()) fail("a MARK is missing");
    std::vector<PickleValuePtr> values(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()),
                                       stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return values;
  }
  PickleValuePtr list(std::vector<PickleValuePtr> items) {
    auto value = makeValue(Kind::kList);
    value->items = std::move(items);
    return value;
  }
  void setItems(PickleValue& dict, const std::vector<PickleValuePtr>& flat) {
    if (dict.kind != Kind::kDict) return;  // items of an opaque mapping: not needed
    if (flat.size() % 2 != 0) fail("SETITEMS with an odd number of values");
    for (size_t i = 0; i < flat.size(); i += 2) dict.entries.emplace_back(flat[i], flat[i + 1]);
  }
  void appendItems(PickleValue& target, const std::vector<PickleValuePtr>& items) {
    if (target.kind == Kind::kList)
      target.items.insert(target.items.end(), items.begin(), items.end());
  }
  void memoize(uint64_t index) { memo_[index] = top(); }
  PickleValuePtr recall(uint64_t index) {
    const auto found = memo_.find(index);
    if (found == memo_.end()) fail("a memo entry that was never stored");
    return found->second;
  }

  // A class or function named by GLOBAL / STACK_GLOBAL: an opaque value holding its name.
  void pushGlobal(const std::string& module, const std::string& name) {
    stack_.push_back(makeText(Kind::kOpaque, module + "." + name));
  }

  PickleValuePtr reduce(const PickleValue& callable, const PickleValue& args) {
    const std::string& name = callable.kind == Kind::kOpaque ? callable.text : std::string();
    if (name == "collections.OrderedDict") return makeValue(Kind::kDict);
    if (name == "torch._utils._rebuild_tensor_v2") return rebuildTensor(args);
    if (name == "torch._utils._rebuild_parameter" ||
        name == "torch._utils._rebuild_parameter_with_state") {
      if (args.items.empty()) fail("_rebuild_parameter without arguments");
      return args.items[0];
    }
    return makeText(Kind::kOpaque, name.empty() ? "object" : name);
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, ...)
  PickleValuePtr rebuildTensor(const PickleValue& args) {
    if (args.kind != Kind::kList || args.items.size() < 4 || args.items[0]->kind != Kind::kTensor ||
        args.items[1]->kind != Kind::kInt) {
      fail("_rebuild_tensor_v2 with unexpected arguments");
    }
    const auto dims = [](const PickleValue& tuple) {
      std::vector<int64_t> values;
      if (tuple.kind != Kind::kList) fail("a tensor size that is not a tuple");
      for (const auto& item : tuple.items) {
        if (item->kind != Kind::kInt) fail("a tensor size that is not a tuple of ints");
        values.push_back(item->integer);
      }
      return values;
    };
    const torch::Tensor& storage = args.items[0]->tensor;
    const std::vector<int64_t> size = dims(*args.items[2]);
    const std::vector<int64_t> stride = dims(*args.items[3]);
    if (size.size() != stride.size()) fail("a tensor whose size and stride differ in length");
    // The furthest element the view reaches must lie inside the storage.
    int64_t last = args.items[1]->integer;
    for (size_t d = 0; d < size.size(); ++d) {
      if (size[d] == 0) last = -1;
      if (last >= 0) last += (size[d] - 1) * stride[d];
    }
    if (args.items[1]->integer < 0 || last >= storage.numel()) {
      fail("a tensor reaching past the end of its storage");
    }
    auto value = makeValue(Kind::kTensor);
    value->tensor = storage.as_strided(size, stride, args.items[1]->integer).clone();
    return value;
  }

  // ('storage', storage_type, key, location, numel): the record data/<key>, read once per key.
  PickleValuePtr persistentLoad(const PickleValue& id) {
    if (id.kind != Kind::kList || id.items.size() < 3 || id.items[0]->text != "storage" ||
        id.items[1]->kind != Kind::kOpaque || id.items[2]->kind != Kind::kString) {
      fail("a persistent id other than torch.save's ('storage', type, key, ...)");
    }
    const std::string& key = id.items[2]->text;
    auto& storage = storages_[key];
    if (!storage) {
      const c10::ScalarType type = storageElementType(id.items[1]->text);
      const std::string record = "data/" + key;
      if (!archive_.hasRecord(record)) fail("the archive lacks the record " + record);
      auto [data, bytes] = archive_.getRecord(record);
      const auto elementSize = static_cast<size_t>(c10::elementSize(type));
      if (bytes % elementSize != 0) fail("the record " + record + " has a partial element");
      storage = makeValue(Kind::kTensor);
      storage->tensor =
          torch::empty({static_cast<int64_t>(bytes / elementSize)}, torch::dtype(type));
      std::memcpy(storage->tensor.data_ptr(), data.get(), bytes);
    }
    return storage;
  }

  // Opcodes that push one string or bytes object, after its length in `lengthBytes` bytes.
  bool pushText(unsigned char opcode) {
    struct TextOpcode {
      unsigned char opcode;
      Kind kind;
      size_t lengthBytes;
    };
    static constexpr TextOpcode kTextOpcodes[] = {
        {kBinUnicode, Kind::kString, 4},     {kShortBinUnicode, Kind::kString, 1},
        {kBinUnicode8, Kind::kString, 8},    {kBinString, Kind::kString, 4},
        {kShortBinString, Kind::kString, 1}, {kBinBytes, Kind::kBytes, 4},
        {kShortBinBytes, Kind::kBytes, 1},   {kBinBytes8, Kind::kBytes, 8},
    };
    for (const TextOpcode& text : kTextOpcodes) {
      if (text.opcode != opcode) continue;
      stack_.push_back(makeText(text.kind, readString(text.lengthBytes)));
      return true;
    }
    return false;
  }

  // LONG1, LONG4: a little-endian two's-complement integer of `length` bytes.
  PickleValuePtr readLong(size_t lengthBytes) {
    const std::string bytes = readString(lengthBytes);
    if (bytes.size() > 8) return makeText(Kind::kOpaque, "int (beyond 64 bits)");
    uint64_t value = 0;
    for (size_t i = bytes.size(); i-- > 0;) {
      value = value << 8 | static_cast<unsigned char>(bytes[i]);
    }
    if (!bytes.empty() && bytes.size() < 8 && (bytes.back() & 0x80) != 0) {
      value |= ~uint64_t{0} << (8 * bytes.size());  // sign extension
    }
    return makeInt(static_cast<int64_t>(value));
  }

  // BINFLOAT: a big-endian IEEE double.
  PickleValuePtr readFloat() {
    uint64_t bits = 0;
    const char* bytes = readBytes(8);
    for (size_t i = 0; i < 8; ++i) bits = bits << 8 | static_cast<unsigned char>(bytes[i]);
    auto value = makeValue(Kind::kFloat);
    std::memcpy(&value->number, &bits, sizeof bits);
    return value;
  }

  // One opcode of pickle protocols 0 to 5, the binary forms (Python's pickletools names them).
  void step(unsigned char opcode) {
    if (pushText(opcode)) return;
    switch (opcode) {
      case kProto:
        readBytes(1);
        break;
      case kFrame:  // frame lengths only help a streaming reader
        readBytes(8);
        break;
      case kEmptyDict:
        stack_.push_back(makeValue(Kind::kDict));
        break;
      case kEmptyList:
      case kEmptyTuple:
        stack_.push_back(makeValue(Kind::kList));
        break;
      case kEmptySet:
        stack_.push_back(makeText(Kind::kOpaque, "set"));
        break;
      case kMark:
        marks_.push_back(stack_.size());
        break;
      case kBinInt:
        stack_.push_back(makeInt(static_cast<int32_t>(readUnsigned(4))));
        break;
      case kBinInt1:
        stack_.push_back(makeInt(static_cast<int64_t>(readUnsigned(1))));
        break;
      case kBinInt2:
        stack_.push_back(makeInt(static_cast<int64_t>(readUnsigned(2))));
        break;
      case kLong1:
        stack_.push_back(readLong(1));
        break;
      case kLong4:
        stack_.push_back(readLong(4));
        break;
      case kBinFloat:
        stack_.push_back(readFloat());
        break;
      case kNone:
        stack_.push_back(makeValue(Kind::kNone));
        break;
      case kNewTrue:
        stack_.push_back(makeInt(1, Kind::kBool));
        break;
      case kNewFalse:
        stack_.push_back(makeInt(0, Kind::kBool));
        break;
      case kTuple:
      case kList:
        stack_.push_back(list(popToMark()));
        break;
      case kTuple1:
      case kTuple2:
      case kTuple3: {
        std::vector<PickleValuePtr> items(static_cast<size_t>(opcode - kTuple1 + 1));
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        stack_.push_back(list(std::move(items)));
        break;
      }
      case kDict: {
        auto dict = makeValue(Kind::kDict);
        setItems(*dict, popToMark());
        stack_.push_back(dict);
        break;
      }
      case kSetItem: {
        PickleValuePtr value = pop();
        PickleValuePtr key = pop();
        setItems(*top(), {key, value});
        break;
      }
      case kSetItems: {
        const std::vector<PickleValuePtr> flat = popToMark();
        setItems(*top(), flat);
        break;
      }
      case kAppend: {
        PickleValuePtr item = pop();
        appendItems(*top(), {item});
        break;
      }
      case kAppends:
      case kAddItems: {
        const std::vector<PickleValuePtr> items = popToMark();
        appendItems(*top(), items);
        break;
      }
      case kFrozenSet:
        popToMark();
        stack_.push_back(makeText(Kind::kOpaque, "frozenset"));
        break;
      case kBinPut:
        memoize(readUnsigned(1));
        break;
      case kLongBinPut:
        memoize(readUnsigned(4));
        break;
      case kMemoize:
        memoize(memo_.size());
        break;
      case kBinGet:
        stack_.push_back(recall(readUnsigned(1)));
        break;
      case kLongBinGet:
        stack_.push_back(recall(readUnsigned(4)));
        break;
      case kGlobal: {
        const std::string module = readLine();
        pushGlobal(module, readLine());
        break;
      }
      case kStackGlobal: {
        PickleValuePtr name = pop();
        PickleValuePtr module = pop();
        pushGlobal(module->text, name->text);
        break;
      }
      case kReduce: {
        PickleValuePtr args = pop();
        PickleValuePtr callable = pop();
        stack_.push_back(reduce(*callable, *args));
        break;
      }
      case kNewObj:
      case kNewObjEx: {  // cls.__new__(cls, *args[, **kwargs]): an object of that class
        if (opcode == kNewObjEx) pop();
        pop();
        PickleValuePtr cls = pop();
        stack_.push_back(makeText(Kind::kOpaque, cls->text));
        break;
      }
      case kBuild:  // __setstate__: OrderedDict's _metadata and the like, not needed
        pop();
        top();
        break;
      case kBinPersId: {
        PickleValuePtr id = pop();
        stack_.push_back(persistentLoad(*id));
        break;
      }
      case kPop:
        pop();
        break;
      case kPopMark:
        popToMark();
        break;
      case kDup:
        stack_.push_back(top());
        break;
      default: {
        std::ostringstream text;
        text << "opcode 0x" << std::hex << static_cast<int>(opcode) << " is not supported";
        fail(text.str());
      }
    }
  }

  std::string path_;
  caffe2::serialize::PyTorchStreamReader& archive_;
  const std::vector<char>& program_;
  size_t position_ = 0;
  std::vector<PickleValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleValuePtr> memo_;
  std::map<std::string, PickleValuePtr> storages_;
};

}  // namespace

PickleValuePtr readTorchSave(const std::string& path) {
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> archive;
  std::vector<char> program;
  try {
    archive = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    auto [data, bytes] = archive->getRecord("data.pkl");
    const auto* begin = static_cast<const char*>(data.get());
    program.assign(begin, begin + bytes);
  } catch (const c10::Error& error) {
    throw InputError(path, "archive",
                     "a zip file written by torch.save (torch >= 1.6; resave a legacy file with "
                     "torch.save in a current torch): " +
                         error.msg().substr(0, error.msg().find('\n')));
  }
  return Unpickler(path, *archive, program).run();
}

namespace {

// The pickle torch.save writes for a dict of tensors (protocol 2, no memo): each tensor is
// torch._utils._rebuild_tensor_v2 applied to a persistent storage id, its offset, size, stride,
// requires_grad and an empty OrderedDict of hooks. Only classes that torch.load(weights_only=True)
// allows appear.
class PickleWriter {
 public:
  void begin() {
    bytes_ +=
        {static_cast<char>(kProto), 2, static_cast<char>(kEmptyDict), static_cast<char>(kMark)};
  }
  void tensorEntry(const std::string& name, const torch::Tensor& tensor, const std::string& key) {
    text(name);
    global("torch._utils", "_rebuild_tensor_v2");
    op(kMark);
    op(kMark);
    text("storage");
    const std::string storageClass = storageClassName(tensor.scalar_type());
    global("torch", storageClass.substr(storageClass.find('.') + 1));
    text(key);
    text("cpu");
    integer(tensor.numel());
    op(kTuple);
    op(kBinPersId);
    integer(0);  // storage offset: each tensor has its own storage
    tuple(tensor.sizes());
    tuple(tensor.strides());
    op(kNewFalse);  // requires_grad
    global("collections", "OrderedDict");
    op(kEmptyTuple);
    op(kReduce);
    op(kTuple);
    op(kReduce);
  }
  std::string end() {
    op(kSetItems);
    op(kStop);
    return std::move(bytes_);
  }

 private:
  void op(Opcode opcode) { bytes_ += static_cast<char>(opcode); }
  void littleEndian(uint64_t value, size_t count) {
    for (size_t i = 0; i < count; ++i) bytes_ += static_cast<char>((value >> (8 * i)) & 0xff);
  }
  void text(const std::string& value) {
    op(kBinUnicode);
    littleEndian(value.size(), 4);
    bytes_ += value;
  }
  void global(const std::string& module, const std::string& name) {
    op(kGlobal);
    bytes_ += module + "\n" + name + "\n";
  }
  void integer(int64_t value) {
    if (value >= std::numeric_limits<int32_t>::min() &&
        value <= std::numeric_limits<int32_t>::max()) {
      op(kBinInt);
      littleEndian(static_cast<uint64_t>(value), 4);
    } else {
      op(kLong1);
      bytes_ += static_cast<char>(8);
      littleEndian(static_cast<uint64_t>(value), 8);
    }
  }
  void tuple(c10::IntArrayRef values) {
    op(kMark);
    for (const int64_t value : values) integer(value);
    op(kTuple);
  }

  std::string bytes_;
};

}  // namespace

void writeTorchSave(const std::string& path, const StateDict& entries) {
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  if (!stream) throw SystemError("cannot create " + path);
  caffe2::serialize::PyTorchStreamWriter archive([&stream](const void* data, size_t size) {
    stream.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    return stream ? size : 0;
  });
  PickleWriter pickle;
  pickle.begin();
  for (size_t i = 0; i < entries.size(); ++i) {
    const torch::Tensor tensor = entries[i].second.detach().cpu().contiguous();
    const std::string key = std::to_string(i);
    pickle.tensorEntry(entries[i].first, tensor, key);
    archive.writeRecord("data/" + key, tensor.data_ptr(), tensor.nbytes());
  }
  const std::string program = pickle.end();
  archive.writeRecord("data.pkl", program.data(), program.size());
  // torch >= 2.1 records the byte order of the storages; older versions ignore the record.
  archive.writeRecord("byteorder", "little", 6);
  archive.writeEndOfFile();
  stream.close();
  if (!stream) throw SystemError("writing " + path + " failed");
}

}  // namespace mu
