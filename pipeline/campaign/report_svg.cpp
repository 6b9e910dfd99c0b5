// The report's picture (report.h): one panel per plotted metric of the metric table (UA,
// MIA-Efficacy, RA, TA; a backdoor's ASR after and before unlearning) against sparsity, one line
// per method, one row of panels per dataset / arch / forget mode. A method's point is left out
// where its value is missing. Plain SVG written by hand: no plotting library on the cluster or in
// CI.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "pipeline/campaign/report.h"
#include "pipeline/metrics/metric_table.h"

namespace mu::campaign {

namespace {

constexpr double kPanelWidth = 260, kPanelHeight = 200, kMargin = 45, kLegendWidth = 140;
const char* const kColours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                "#66a61e", "#e6ab02", "#a6761d", "#666666"};

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", value);
  return text;
}

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

// A row of panels per dataset, arch, forget mode and (where not ours) protocol.
std::string sectionOf(const ReportRow& row) {
  return row.dataset + " " + row.arch + " " + row.forget +
         (row.protocol == "clean" ? "" : " " + row.protocol + " protocol");
}

}  // namespace

std::string svgPlot(const std::vector<ReportRow>& rows) {
  const std::vector<const Metric*> metrics = shownMetrics(rows, &Metric::plotted);
  std::vector<std::string> sections;
  std::vector<std::string> methods;  // a line each: method titles with their settings
  double maxSparsity = 0, maxValue = 0;
  for (const ReportRow& row : rows) {
    const std::string section = sectionOf(row);
    if (std::find(sections.begin(), sections.end(), section) == sections.end())
      sections.push_back(section);
    if (std::find(methods.begin(), methods.end(), row.methodTitle) == methods.end()) {
      methods.push_back(row.methodTitle);
    }
    maxSparsity = std::max(maxSparsity, row.sparsity);
    for (const Metric* metric : metrics)
      maxValue = std::max(maxValue, row.metrics.at(metric->key).mean);
  }
  const double yTop = maxValue <= 1.0 ? 1.0 : 100.0;  // fractions or percentages
  const double xTop = maxSparsity > 0 ? maxSparsity : 1.0;
  const double width = kMargin + metrics.size() * (kPanelWidth + kMargin) + kLegendWidth;
  const double height =
      kMargin + std::max<size_t>(1, sections.size()) * (kPanelHeight + 2 * kMargin);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) +
                    "\" height=\"" + number(height) +
                    "\" font-family=\"sans-serif\" font-size=\"11\">\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (size_t s = 0; s < sections.size(); ++s) {
    const double top = kMargin + s * (kPanelHeight + 2 * kMargin);
    svg += "<text x=\"" + number(kMargin) + "\" y=\"" + number(top - 20) +
           "\" font-size=\"13\" font-weight=\"bold\">" + escaped(sections[s]) + "</text>\n";
    for (size_t m = 0; m < metrics.size(); ++m) {
      const double left = kMargin + m * (kPanelWidth + kMargin);
      auto x = [&](double sparsity) { return left + sparsity / xTop * kPanelWidth; };
      auto y = [&](double value) { return top + kPanelHeight - value / yTop * kPanelHeight; };
      svg += "<rect x=\"" + number(left) + "\" y=\"" + number(top) + "\" width=\"" +
             number(kPanelWidth) + "\" height=\"" + number(kPanelHeight) +
             "\" fill=\"none\" stroke=\"#999\"/>\n";
      svg += "<text x=\"" + number(left + kPanelWidth / 2) + "\" y=\"" + number(top - 5) +
             "\" text-anchor=\"middle\">" + escaped(metrics[m]->title) + "</text>\n";
      svg += "<text x=\"" + number(left + kPanelWidth / 2) + "\" y=\"" +
             number(top + kPanelHeight + 30) + "\" text-anchor=\"middle\">sparsity (%)</text>\n";
      for (double tick : {0.0, 0.5, 1.0}) {
        svg += "<text x=\"" + number(x(tick * xTop)) + "\" y=\"" + number(top + kPanelHeight + 14) +
               "\" text-anchor=\"middle\">" + number(100 * tick * xTop) + "</text>\n";
        svg += "<text x=\"" + number(left - 4) + "\" y=\"" + number(y(tick * yTop) + 4) +
               "\" text-anchor=\"end\">" + number(tick * yTop) + "</text>\n";
      }
      for (size_t k = 0; k < methods.size(); ++k) {
        std::string points;
        std::string markers;
        const char* colour = kColours[k % (sizeof(kColours) / sizeof(kColours[0]))];
        for (const ReportRow& row : rows) {
          const MetricSummary& summary = row.metrics.at(metrics[m]->key);
          if (row.methodTitle != methods[k] || sectionOf(row) != sections[s] || summary.count == 0)
            continue;
          const double value = summary.mean;
          points += number(x(row.sparsity)) + "," + number(y(value)) + " ";
          markers += "<circle cx=\"" + number(x(row.sparsity)) + "\" cy=\"" + number(y(value)) +
                     "\" r=\"3\" fill=\"" + colour + "\"/>\n";
        }
        svg += "<polyline fill=\"none\" stroke=\"" + std::string(colour) +
               "\" stroke-width=\"1.5\" points=\"" + points + "\"/>\n" + markers;
      }
    }
  }
  const double legendLeft = kMargin + metrics.size() * (kPanelWidth + kMargin);
  for (size_t k = 0; k < methods.size(); ++k) {
    const double y = kMargin + 15 * k;
    svg += "<rect x=\"" + number(legendLeft) + "\" y=\"" + number(y - 8) +
           "\" width=\"10\" height=\"10\" fill=\"" +
           kColours[k % (sizeof(kColours) / sizeof(kColours[0]))] + "\"/>\n";
    svg += "<text x=\"" + number(legendLeft + 15) + "\" y=\"" + number(y + 1) + "\">" +
           escaped(methods[k]) + "</text>\n";
  }
  return svg + "</svg>\n";
}

}  // namespace mu::campaign
