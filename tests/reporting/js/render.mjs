// Renders a Cucumber JSON file to HTML with cucumber-html-reporter, as a CI job would.
// Usage: node render.mjs <cucumber.json> <output.html>
// Exits non-zero, with the renderer's error on stderr, when the file cannot be rendered.
import reporter from "cucumber-html-reporter";

const [jsonFile, output] = process.argv.slice(2);
if (!jsonFile || !output) {
  console.error("usage: node render.mjs <cucumber.json> <output.html>");
  process.exit(2);
}
reporter.generate({
  theme: "bootstrap",
  jsonFile,
  output,
  reportSuiteAsScenarios: true,
  launchReport: false,
  storeScreenshots: false,
  noInlineScreenshots: true,
  metadata: { tool: "flowspec" },
});
