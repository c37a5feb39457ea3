using System.Diagnostics;

namespace OnnxLowRank.Cli.Tests.Commands;

/// <summary>
/// The CLI's own entry point, in process, over a pairwise covering set of each command's options: valid values,
/// invalid ones and combinations that make no sense. Whatever the user types ends in 0 (done), 1 (a gate failed)
/// or 2 (bad input, with one "error:" line saying what to do), never in 3 or an internal error: those are for the
/// engine failing on input that was fine. --ep stays on the CPU (CUDA missing is a runtime failure, exit 3).
/// </summary>
public class OptionPairsTests : ScratchFolderTest
{
    private static string Mlp => RepositoryFiles.Model("mlp.onnx");

    private static string Train => RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz");

    [Test]
    public void Compress_option_pairs_end_in_0_1_or_2()
    {
        Option[] options =
        [
            new([[], ["--method", "alds"], ["--method", "global-energy"], ["--method", "arsvd"], ["--method", "uniform"], ["--method", "svd-energy"]],
                [["--method", "bogus"]]),
            new([[], ["--keep-params", "0.3"], ["--keep-flops", "0.4"], ["--energy", "0.9"], ["--keep-latency", "0.8"]],
                [["--keep-params", "0"], ["--keep-params", "1.5"], ["--keep-params", "NaN"], ["--energy", "2"], ["--keep-flops", "-1"]]),
            new([[], ["--max-k", "1"], ["--max-k", "4"]], [["--max-k", "0"]]),
            new([[], ["--conv-rank-multiple", "16"]], [["--conv-rank-multiple", "0"]]),
            new([[], ["--min-saving", "0.3"]], [["--min-saving", "1.5"]]),
            new([[], ["--exclude", "*layers.1*"], ["--exclude", "*"]], [["--exclude", ""]]),
            new([[], ["--calibration", Train, "--calibration-limit", "64"]], [["--calibration", "missing.gz"]]),
            new([[], ["--validate", RepositoryFiles.TestImages, "--labels", RepositoryFiles.TestLabels, "--limit", "64", "--max-accuracy-drop", "50"],
                    ["--validate", "random", "--limit", "4", "--min-agreement", "0.99"]],
                [["--validate", "random", "--min-agreement", "1.5"], ["--validate", "missing.gz"]]),
            new([[], ["--normalize", RepositoryFiles.Normalization]], [["--normalize", "zero"]]),
            new([[], ["--latency-aware"]], []),
            new([[], ["--report", "r.json"], ["--report", "r.html"]], [["--report", "r.pdf"]]),
            new([["-o", "out.onnx"]], [["-o", Mlp], ["-o", Path.Combine("no-such-folder", "out.onnx")]]),
            new([[], ["--dim", "batch=4"], ["--shape", "input=2x1x28x28"]], [["--dim", "batch=0"], ["--dim", "depth=3"], ["--dim", "input=1x3x28x28"]]),
            new([[], ["--plan-out", "plan.json"]], [["--plan", "missing-plan.json"]]),
        ];
        RunPairs("compress", options);
    }

    [Test]
    public void Analyze_diff_and_sweep_option_pairs_end_in_0_1_or_2()
    {
        RunPairs("analyze",
        [
            new([[], ["--json"]], []),
            new([[], ["--max-k", "2"]], [["--max-k", "-1"]]),
            new([[], ["--exclude", "*"], ["--exclude", "*layers.4*"]], []),
            new([[], ["--calibration", Train, "--calibration-limit", "32"], ["--calibration", "random"]], [["--calibration", "missing.npy"]]),
            new([[], ["--dim", "N=4"]], [["--dim", "nonsense"]]),
            new([[], ["--sensitivity-samples", "16"]], [["--sensitivity-samples", "0"]]),
        ]);
        RunPairs("diff",
        [
            new([["--data", "random"], ["--data", RepositoryFiles.TestImages]], [["--data", "missing.gz"]]),
            new([[], ["--labels", RepositoryFiles.TestLabels]], [["--labels", "missing.gz"]]),
            new([[], ["--limit", "8"], ["--offset", "1990"]], [["--limit", "0"], ["--offset", "-1"]]),
            new([[], ["--batch", "3"]], [["--batch", "0"]]),
            new([[], ["--max-accuracy-drop", "1"], ["--min-agreement", "0.5"]], [["--min-agreement", "7"]]),
            new([[], ["--shape", "2,1,28,28"]], [["--shape", "x"]]),
        ], model: [Mlp, Mlp]);
        RunPairs("sweep",
        [
            new([["--data", "random", "--limit", "4"], ["--data", RepositoryFiles.TestImages, "--limit", "64"]], []),
            new([[], ["--keep", "0.3,0.6"], ["--keep", "0.5:0.9:0.2"]], [["--keep", "0"], ["--keep", "0.9:0.1:0.1"]]),
            new([[], ["--methods", "alds,uniform"]], [["--methods", "bogus"]]),
            new([[], ["--budget", "flops"]], [["--budget", "energy"]]),
            new([[], ["--report", "s.html"]], []),
        ]);
    }

    /// <summary>One option's values: valid ones, combined pairwise with the other options' valid ones; and invalid ones.</summary>
    private sealed record Option(string[][] Valid, string[][] Invalid);

    /// <summary>
    /// Runs every case of a pairwise covering set of the valid values, then each invalid value in place of its option's
    /// value in one of those cases (an invalid value would hide whatever else a case combines, so they go one at a time).
    /// </summary>
    private void RunPairs(string command, Option[] options, string[]? model = null)
    {
        var valid = AllPairs.Cases(options.Select(o => o.Valid.Length).ToArray());
        var cases = valid.Select(c => c.Select((v, o) => options[o].Valid[v]).ToArray()).ToList();
        var invalid = 0;
        for (var o = 0; o < options.Length; o++)
        {
            foreach (var bad in options[o].Invalid)
            {
                var replaced = (string[][])cases[invalid % valid.Count].Clone();
                replaced[o] = bad;
                cases.Add(replaced);
                invalid++;
            }
        }

        var clock = Stopwatch.StartNew();
        var outcomes = new Dictionary<int, int>();
        foreach (var values in cases)
        {
            string[] args = [command, .. model ?? [Mlp], .. values.SelectMany(v => v).Select(InFolder)];
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = CliApplication.Run([.. args, "--quiet"], stdout, stderr, interactive: false);
            var said = $"onnx-lowrank {string.Join(' ', args)}\n  exit {exit}; stderr: {stderr}";
            Assert.That(exit, Is.AnyOf(0, 1, 2), said);
            Assert.That(stderr.ToString(), Does.Not.Contain("internal error"), said);
            if (exit == 2) Assert.That(stderr.ToString().Split('\n').Count(l => l.StartsWith("error: ", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1), said);
            outcomes[exit] = outcomes.GetValueOrDefault(exit) + 1;
        }
        TestContext.Out.WriteLine($"{command}: {valid.Count} cases cover every pair of valid values of {options.Length} options, plus {invalid} with one invalid value; " +
            $"exit 0: {outcomes.GetValueOrDefault(0)}, 1: {outcomes.GetValueOrDefault(1)}, 2: {outcomes.GetValueOrDefault(2)}; {clock.Elapsed.TotalSeconds:F0} s");
    }

    // Relative output and report paths land in this test's folder; other arguments pass unchanged.
    private string InFolder(string argument) =>
        argument is "out.onnx" or "r.json" or "r.html" or "r.pdf" or "s.html" || argument.StartsWith("no-such-folder", StringComparison.Ordinal)
            ? Path.Combine(Folder, argument)
            : argument;
}
