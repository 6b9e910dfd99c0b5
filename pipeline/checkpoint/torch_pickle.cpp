#include "pipeline/checkpoint/torch_pickle.h"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
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

// Storage classes as torch.save names them (torch.FloatStorage, ...), by element type.
c10::ScalarType storageElementType(const std::string& storageClass) {
  static const std::map<std::string, c10::ScalarType> kTypes = {
      {"torch.FloatStorage", c10::kFloat},  {"torch.DoubleStorage", c10::kDouble},
      {"torch.HalfStorage", c10::kHalf},    {"torch.BFloat16Storage", c10::kBFloat16},
      {"torch.LongStorage", c10::kLong},    {"torch.IntStorage", c10::kInt},
      {"torch.ShortStorage", c10::kShort},  {"torch.CharStorage", c10::kChar},
      {"torch.ByteStorage", c10::kByte},    {"torch.BoolStorage", c10::kBool},
      {"torch.UntypedStorage", c10::kByte},
  };
  const auto found = kTypes.find(storageClass);
  if (found == kTypes.end()) throw InputError("storage of type '" + storageClass + "'");
  return found->second;
}

class Unpickler {
 public:
  Unpickler(std::string path, caffe2::serialize::PyTorchStreamReader& archive,
            const std::vector<char>& program)
      : path_(std::move(path)), archive_(archive), program_(program) {}

  PickleValuePtr run() {
    while (true) {
      const size_t at = position_;
      const auto opcode = static_cast<unsigned char>(readBytes(1)[0]);
      if (opcode == '.') return pop();
      try {
        step(opcode);
      } catch (const InputError& error) {
        throw InputError(
            path_, "data.pkl at byte " + std::to_string(at),
            std::string("a pickle of containers, numbers, strings and tensors: ") + error.what());
      }
    }
  }

 private:
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

  void step(unsigned char opcode) {
    switch (opcode) {
      case 0x80:
        readBytes(1);
        break;  // PROTO
      case 0x95:
        readBytes(8);
        break;  // FRAME: the frames only help a streaming reader
      case '}':
        stack_.push_back(makeValue(Kind::kDict));
        break;
      case ']':
      case ')':
        stack_.push_back(makeValue(Kind::kList));
        break;
      case 0x8f:
        stack_.push_back(makeText(Kind::kOpaque, "set"));
        break;  // EMPTY_SET
      case '(':
        marks_.push_back(stack_.size());
        break;
      case 'X':
        stack_.push_back(makeText(Kind::kString, readString(4)));
        break;
      case 0x8c:
        stack_.push_back(makeText(Kind::kString, readString(1)));
        break;
      case 0x8d:
        stack_.push_back(makeText(Kind::kString, readString(8)));
        break;
      case 'T':
        stack_.push_back(makeText(Kind::kString, readString(4)));
        break;
      case 'U':
        stack_.push_back(makeText(Kind::kString, readString(1)));
        break;
      case 'B':
        stack_.push_back(makeText(Kind::kBytes, readString(4)));
        break;
      case 'C':
        stack_.push_back(makeText(Kind::kBytes, readString(1)));
        break;
      case 0x8e:
        stack_.push_back(makeText(Kind::kBytes, readString(8)));
        break;
      case 'J':
        stack_.push_back(makeInt(static_cast<int32_t>(readUnsigned(4))));
        break;
      case 'K':
        stack_.push_back(makeInt(static_cast<int64_t>(readUnsigned(1))));
        break;
      case 'M':
        stack_.push_back(makeInt(static_cast<int64_t>(readUnsigned(2))));
        break;
      case 0x8a:
      case 0x8b: {  // LONG1, LONG4: little-endian two's complement
        const std::string bytes = readString(opcode == 0x8a ? 1 : 4);
        if (bytes.size() > 8) {
          stack_.push_back(makeText(Kind::kOpaque, "int (beyond 64 bits)"));
          break;
        }
        uint64_t value = 0;
        for (size_t i = bytes.size(); i-- > 0;)
          value = value << 8 | static_cast<unsigned char>(bytes[i]);
        if (!bytes.empty() && bytes.size() < 8 && (bytes.back() & 0x80) != 0) {
          value |= ~uint64_t{0} << (8 * bytes.size());  // sign-extend
        }
        stack_.push_back(makeInt(static_cast<int64_t>(value)));
        break;
      }
      case 'G': {  // BINFLOAT: big-endian IEEE double
        uint64_t bits = 0;
        const char* bytes = readBytes(8);
        for (size_t i = 0; i < 8; ++i) bits = bits << 8 | static_cast<unsigned char>(bytes[i]);
        auto value = makeValue(Kind::kFloat);
        std::memcpy(&value->number, &bits, sizeof bits);
        stack_.push_back(value);
        break;
      }
      case 'N':
        stack_.push_back(makeValue(Kind::kNone));
        break;
      case 0x88:
        stack_.push_back(makeInt(1, Kind::kBool));
        break;
      case 0x89:
        stack_.push_back(makeInt(0, Kind::kBool));
        break;
      case 't':
      case 'l':
        stack_.push_back(list(popToMark()));
        break;  // TUPLE, LIST
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1..3
        std::vector<PickleValuePtr> items(opcode - 0x84u);
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        stack_.push_back(list(std::move(items)));
        break;
      }
      case 'd': {  // DICT
        auto dict = makeValue(Kind::kDict);
        setItems(*dict, popToMark());
        stack_.push_back(dict);
        break;
      }
      case 's': {  // SETITEM
        PickleValuePtr value = pop();
        PickleValuePtr key = pop();
        setItems(*top(), {key, value});
        break;
      }
      case 'u': {  // SETITEMS
        const std::vector<PickleValuePtr> flat = popToMark();
        setItems(*top(), flat);
        break;
      }
      case 'a': {  // APPEND
        PickleValuePtr item = pop();
        appendItems(*top(), {item});
        break;
      }
      case 'e':
      case 0x90: {  // APPENDS, ADDITEMS
        const std::vector<PickleValuePtr> items = popToMark();
        appendItems(*top(), items);
        break;
      }
      case 0x91:
        popToMark();
        stack_.push_back(makeText(Kind::kOpaque, "frozenset"));
        break;
      case 'q':
        memoize(readUnsigned(1));
        break;  // BINPUT
      case 'r':
        memoize(readUnsigned(4));
        break;  // LONG_BINPUT
      case 0x94:
        memoize(memo_.size());
        break;  // MEMOIZE
      case 'h':
        stack_.push_back(recall(readUnsigned(1)));
        break;
      case 'j':
        stack_.push_back(recall(readUnsigned(4)));
        break;
      case 'c': {  // GLOBAL
        const std::string module = readLine();
        pushGlobal(module, readLine());
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PickleValuePtr name = pop();
        PickleValuePtr module = pop();
        pushGlobal(module->text, name->text);
        break;
      }
      case 'R': {  // REDUCE
        PickleValuePtr args = pop();
        PickleValuePtr callable = pop();
        stack_.push_back(reduce(*callable, *args));
        break;
      }
      case 0x81: {  // NEWOBJ: cls.__new__(cls, *args)
        pop();
        PickleValuePtr cls = pop();
        stack_.push_back(makeText(Kind::kOpaque, cls->text));
        break;
      }
      case 0x92: {  // NEWOBJ_EX
        pop();
        pop();
        PickleValuePtr cls = pop();
        stack_.push_back(makeText(Kind::kOpaque, cls->text));
        break;
      }
      case 'b':
        pop();
        top();
        break;     // BUILD: an object's __setstate__ (OrderedDict._metadata)
      case 'Q': {  // BINPERSID
        PickleValuePtr id = pop();
        stack_.push_back(persistentLoad(*id));
        break;
      }
      case '0':
        pop();
        break;
      case '1':
        popToMark();
        break;
      case '2':
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

}  // namespace mu
