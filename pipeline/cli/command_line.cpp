#include "pipeline/cli/command_line.h"

#include <cstring>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "pipeline/base/error.h"
#include "pipeline/base/exit_code.h"

namespace mu {
namespace {

bool isWord(const char* argument, const char* word) {
  return std::strcmp(argument, word) == 0;
}

// Boost's error messages put the option and value into a template of %option%, %value% and the
// like, and loop forever when what they put in holds the same placeholder: `--epochs %value%`
// hung every program. Text holding such a word is refused before Boost sees it.
void refusePlaceholders(const std::string& text, const std::string& file,
                        const std::string& field) {
  static const std::regex kPlaceholder("%[a-z_]+%");
  std::smatch match;
  if (std::regex_search(text, match, kPlaceholder)) {
    throw InputError(file, field,
                     "text without '" + match.str() + "' (a placeholder of Boost's messages)");
  }
}

void printDescription(const OptionTable& table, const ProgramText& text) {
  nlohmann::json description{{"program", text.program}, {"options", table.describe()}};
  if (text.describe) description.update(text.describe());
  std::cout << description.dump(2) << "\n";
}

}  // namespace

bool ParsedCommandLine::given(const std::string& name) const {
  return values.count(name) > 0 && !values[name].defaulted();
}

bool asksForDescription(int argc, const char* const argv[]) {
  for (int i = 1; i < argc; ++i) {
    if (isWord(argv[i], "--help") || isWord(argv[i], "-h") || isWord(argv[i], "--describe"))
      return true;
  }
  return false;
}

ParsedCommandLine parseCommandLine(int argc, const char* const argv[], const OptionTable& table,
                                   const ProgramText& text) {
  const po::options_description options = table.description(text.program + " options");
  po::options_description common("Common options");
  common.add_options()("help,h", "print this help and exit")(
      "describe", "print the options as JSON (for programs that drive this one) and exit")(
      "config", po::value<std::string>(), "read options from FILE (\"name = value\" lines)");
  po::options_description all;
  all.add(options).add(common);
  ParsedCommandLine parsed;
  for (int i = 1; i < argc; ++i) refusePlaceholders(argv[i], "command line", argv[i]);
  try {
    po::store(po::command_line_parser(argc, argv)
                  .options(all)
                  .positional(table.positionalDescription())
                  .run(),
              parsed.values);
    if (parsed.values.count("config")) {
      const std::string path = parsed.values["config"].as<std::string>();
      std::ifstream file(path);
      if (!file) throw InputError(path, "--config", "file cannot be opened");
      std::stringstream contents;
      contents << file.rdbuf();
      std::string line;
      for (size_t number = 1; std::getline(contents, line); ++number) {
        refusePlaceholders(line, path, "line " + std::to_string(number));
      }
      std::istringstream in(contents.str());
      po::store(po::parse_config_file(in, options), parsed.values);
    }
    if (parsed.values.count("help")) {
      std::cout << text.usage << "\n\n" << all << "\n";
      parsed.done = true;
      return parsed;
    }
    po::notify(parsed.values);
  } catch (const po::error& error) {
    throw InputError(std::string("command line: ") + error.what() + " (see --help)");
  }
  if (parsed.values.count("describe")) {
    printDescription(table, text);
    parsed.done = true;
    return parsed;
  }
  table.checkChoices();
  table.checkText();
  return parsed;
}

int runProgram(const std::string& program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const InputError& error) {
    std::cerr << program << ": error: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << program << ": error: " << error.what() << "\n";
    return kExitFailure;
  }
}

int runWithOptions(const ProgramText& text, const OptionTable& table, int argc, char** argv,
                   const std::function<int()>& body) {
  return runProgram(text.program, [&] {
    const ParsedCommandLine parsed = parseCommandLine(argc, argv, table, text);
    return parsed.done ? static_cast<int>(kExitOk) : body();
  });
}

int runCommands(const std::string& program, const std::string& summary,
                const std::vector<Command>& commands, int argc, char** argv) {
  return runProgram(program, [&] {
    std::string usage = summary + "\n\ncommands:";
    for (const Command& command : commands) {
      usage += "\n  " + program + " " + command.name + "  " + command.summary;
    }
    usage += "\n\n'" + program + " <command> --help' lists a command's options.";
    const std::string name = argc > 1 ? argv[1] : "";
    if (name == "--help" || name == "-h") {
      std::cout << usage << "\n";
      return static_cast<int>(kExitOk);
    }
    for (const Command& command : commands) {
      if (command.name != name) continue;
      OptionTable table;
      if (command.registerOptions) command.registerOptions(table);
      const ParsedCommandLine parsed = parseCommandLine(
          argc - 1, argv + 1, table, {program + " " + name, command.usage, command.describe});
      return parsed.done ? static_cast<int>(kExitOk) : command.run(parsed);
    }
    std::string valid;
    for (const Command& command : commands) valid += (valid.empty() ? "" : ", ") + command.name;
    throw InputError("command line", "command",
                     "one of " + valid + ", got '" + name + "' (see " + program + " --help)");
  });
}

}  // namespace mu
