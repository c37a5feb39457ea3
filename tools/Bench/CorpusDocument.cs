using System.Text;

namespace OnnxLowRank.Bench;

/// <summary>The corpus table the bench writes into docs/reliability.md ("Real-model corpus"), with its command and counts.</summary>
internal static class CorpusDocument
{
    public static string Render(IReadOnlyList<CorpusRun> runs, IReadOnlyList<string> missing, BenchResults results)
    {
        var text = new StringBuilder();
        text.AppendLine("Written by the benchmark suite (a full run, or the corpus alone with the command below):");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine(results.Options.CommandLine);
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine($"- Run: {results.Started:yyyy-MM-dd HH:mm} UTC on {results.Machine}" +
            (results.LoadAtStart is { } load ? $"; load average {Text.Fixed(load, 2)} at the start ({results.Machine.Cores} cores), so times are upper bounds on a shared machine." : "."));
        text.AppendLine($"- Each model: `onnx-lowrank analyze MODEL`, then `onnx-lowrank compress MODEL -o OUT --keep-params {Text.Number(CorpusRun.KeepParams)}` " +
            "(the default method, weight-only; `--dim` where a symbolic dimension needs a size), each in a fresh process, then the output loaded " +
            "by ONNX Runtime's own API. Layers found: the compressible layers analyze lists; compressed: those compress factorized (the " +
            "allocation leaves the others whole, where a pair would not pay at this budget); skipped: the nodes analyze passed over, by " +
            "`SkipReason`. Time is analyze and compress together (compress includes its verifying run of the output).");
        text.AppendLine();
        var table = new MarkdownTable("model", "file MiB", "layers found", "compressed", "skipped (reason: count)", "time s", "outcome");
        foreach (var run in runs)
        {
            var skipped = run.Skipped.Count == 0 ? "-" : string.Join(", ", run.Skipped.Select(s => $"{s.Key}: {s.Value}"));
            var dims = run.Model.Dimensions is { Count: > 0 } d ? $" (`--dim {string.Join(" --dim ", d)}`)" : "";
            table.Add($"{run.Model.Name}{dims}", Text.MiB(Repository.SizeOf(run.Model.Path)), run.Layers?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                run.Compressed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", skipped, Text.Fixed(run.Seconds, 1), run.Outcome);
        }
        text.Append(table.ToString());
        text.AppendLine();
        text.AppendLine(Counts(runs) + ".");
        foreach (var name in missing) text.AppendLine($"- not measured: {name}");
        return text.ToString();
    }

    /// <summary>"N models: A compressed (B verified by a run, C loaded only), D skipped (...), E failed".</summary>
    public static string Counts(IReadOnlyList<CorpusRun> runs)
    {
        var skipped = runs.Where(r => !r.Verified && !r.Failed).ToList();
        var reasons = skipped.GroupBy(r => r.Outcome).Select(g => $"{g.Count()} {g.Key}");
        var loadedOnly = runs.Count(r => r.Verified && r.Outcome.Contains("not run", StringComparison.Ordinal));
        return $"{runs.Count} models: {runs.Count(r => r.Verified)} compressed ({runs.Count(r => r.Verified) - loadedOnly} verified by a run, {loadedOnly} loaded only), {skipped.Count} skipped" +
            (skipped.Count > 0 ? $" ({string.Join("; ", reasons)})" : "") + $", {runs.Count(r => r.Failed)} failed";
    }
}
