#include "pipeline/command_line.h"

#include <fstream>
#include <iostream>

#include "pipeline/error.h"

namespace mu {

bool parseCommandLine(int argc, const char* const argv[], const po::options_description& options,
                      po::variables_map& values, const std::string& usage) {
  po::options_description common("Common options");
  common.add_options()("help,h", "print this help and exit")(
      "config", po::value<std::string>(), "read options from FILE (\"name = value\" lines)");
  po::options_description all;
  all.add(options).add(common);
  try {
    po::store(po::parse_command_line(argc, argv, all), values);
    if (values.count("config")) {
      const std::string path = values["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) throw InputError(path, "--config", "file cannot be opened");
      po::store(po::parse_config_file(in, options), values);
    }
    if (values.count("help")) {
      std::cout << usage << "\n\n" << all << "\n";
      return false;
    }
    po::notify(values);
  } catch (const po::error& error) {
    throw InputError(std::string("command line: ") + error.what() + " (see --help)");
  }
  return true;
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

}  // namespace mu
