using System.Diagnostics;

namespace OnnxLowRank.Bench;

/// <summary>One run of the suite: prepare the models, measure each section, check the figures, write the results.</summary>
internal sealed class BenchRun(BenchOptions options, TextWriter console)
{
    public int Execute()
    {
        var repository = Repository.Find();
        var plan = BenchPlan.For(repository, options.Quick);
        var clock = Stopwatch.StartNew();
        var results = new BenchResults(options, Machine.Describe(), DateTimeOffset.UtcNow, Machine.LoadAverage());
        var reportFolder = options.OutDirectory is { } o ? Path.GetFullPath(o)
            : options.Quick ? repository.PathOf("artifacts", "bench-quick") : Path.Combine(repository.Docs, "bench");
        Directory.CreateDirectory(reportFolder);
        var logFolder = repository.PathOf("artifacts", "bench");
        Directory.CreateDirectory(logFolder);
        var scratch = Directory.CreateTempSubdirectory("onnxlowrank-bench-").FullName;
        using var log = new StreamWriter(Path.Combine(logFolder, "bench.log")) { AutoFlush = true };
        var children = new ChildProcesses(scratch, plan.ChildLimit, log);

        console.WriteLine($"bench{(options.Quick ? " --quick" : options.CorpusOnly ? " --corpus" : "")}: {results.Machine}");
        console.WriteLine($"children's output: {repository.Relative(Path.Combine(logFolder, "bench.log"))}");
        if (options.CorpusOnly)
        {
            try
            {
                MeasureCorpus(repository, children, scratch, reportFolder, results);
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
            return results.Problems.Count == 0 ? 0 : 1;
        }
        var selected = plan.Models.Where(m => options.Models is null || options.Models.Contains(m.Name)).ToList();
        try
        {
            if (options.Quick)
                results.Notes.Add("--quick measures the reference models only; the torchvision exports, PaddleOCR, spectra throughput and the real-model corpus are in the full run.");
            else
                results.Problems.AddRange(Prerequisites.Prepare(repository, children, selected, console));

            // The plan's order (the targets' models first); after each step the document is rewritten, marked
            // incomplete, so an interrupted run still leaves what it measured.
            var models = selected.Where(m => m.Exists).ToList();
            foreach (var model in models)
            {
                try
                {
                    MeasureModel(model, plan, children, scratch, results);
                    if (model.Origin == ModelOrigin.Reference) MeasureQuality(model, plan, children, scratch, reportFolder, repository, results);
                    if (plan.PaddleOcrQuality && model == models.LastOrDefault(m => m.Origin == ModelOrigin.PaddleOcr))
                        results.PaddleOcr = RunProgram(children, results, "PaddleOcrBenchmark", "PaddleOCR output agreement (tools/PaddleOcrBenchmark)");
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // One model's failure (an engine error while timing, say) is a finding; the other models still get measured.
                    results.Problems.Add($"{model.Name}: {e.GetType().Name}: {e.Message}");
                    console.WriteLine($"  {model.Name} FAILED: {e.Message}");
                }
                Checkpoint(results, repository, reportFolder, clock, $"{model.Name} done");
            }
            if (plan.SpectraThroughput && options.Models is null)
                results.Spectra = RunProgram(children, results, "SpectraBenchmark", "spectra throughput (tools/SpectraBenchmark)");
            if (!options.Quick) MeasureCorpus(repository, children, scratch, reportFolder, results);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        results.Problems.AddRange(SanityChecks.Of(results));
        Stamp(results, clock);
        var targets = Targets.Evaluate(results, complete: true);
        Publish(results, targets, repository, reportFolder, inProgress: null);
        Summarize(results, targets);
        return results.Problems.Count == 0 ? 0 : 1;
    }

    private static void Stamp(BenchResults results, Stopwatch clock)
    {
        results.Elapsed = clock.Elapsed;
        results.LoadAtEnd = Machine.LoadAverage();
        results.CpuSeconds = Machine.CpuSecondsWithChildren();
    }

    private void Checkpoint(BenchResults results, Repository repository, string reportFolder, Stopwatch clock, string progress)
    {
        Stamp(results, clock);
        Publish(results, Targets.Evaluate(results, complete: false), repository, reportFolder, inProgress: progress);
    }

    /// <summary>Compression cost with every method, then latency of the alds compressions; compressed files are deleted once measured.</summary>
    private void MeasureModel(BenchModel model, BenchPlan plan, ChildProcesses children, string scratch, BenchResults results)
    {
        var runs = new List<CompressionRun>();
        var variants = new List<CompressionRun>();
        foreach (var method in model.Methods)
        {
            var keeps = method == Methods.Alds && model.InferenceBatches.Count > 0 ? plan.InferenceKeeps : [BenchPlan.CostKeep];
            foreach (var keep in keeps)
            {
                var run = Compress(children, scratch, model, method, calibrated: false, keep);
                runs.Add(run);
                if (method == Methods.Alds && run.Succeeded) variants.Add(run);
            }
        }
        if (model.Calibration?.Exists == true) runs.Add(Compress(children, scratch, model, Methods.Auto, calibrated: true, BenchPlan.CostKeep));
        results.Compressions.AddRange(runs);

        if (model.InferenceBatches.Count > 0)
        {
            if (variants.Count == plan.InferenceKeeps.Count)
                results.Inference.AddRange(InferenceSpeed.Measure(model, [.. variants.OrderByDescending(v => v.KeepFlops)], plan.Latency, console));
            else
                results.Problems.Add($"{model.Name}: latency not measured, an alds compression failed");
        }
        foreach (var run in runs.Where(r => File.Exists(r.OutputPath))) File.Delete(run.OutputPath);
    }

    private CompressionRun Compress(ChildProcesses children, string scratch, BenchModel model, string method, bool calibrated, double keep)
    {
        var run = CompressionRun.Measure(children, scratch, model, method, calibrated, keep);
        console.WriteLine(run.Measurement is { ExitCode: 0 } m
            ? $"  compress {model.Name} {run.Label} keep-flops {Text.Number(keep)}: {Text.Fixed(m.Seconds, 2)} s, peak {Text.MiB(m.PeakBytes)} MiB"
            : $"  compress {model.Name} {run.Label} keep-flops {Text.Number(keep)}: FAILED {run.Failure}");
        return run;
    }

    /// <summary>Sweeps over the parameter budget and, where the two differ, the FLOP budget.</summary>
    private void MeasureQuality(BenchModel model, BenchPlan plan, ChildProcesses children, string scratch, string reportFolder, Repository repository,
        BenchResults results)
    {
        var budgets = new List<string> { "params" };
        var cost = results.Compressions.FirstOrDefault(c => c.Model == model && c.Report?.Compression is not null)?.Report!.Compression!;
        // An MLP's FLOPs per sample are its weights: the FLOP sweep would repeat the parameter sweep.
        if (!options.Quick && model.Origin == ModelOrigin.Reference && cost is not null && cost.BudgetFlopsBefore != cost.BudgetParametersBefore)
            budgets.Add("flops");
        foreach (var budget in budgets)
        {
            var clock = Stopwatch.StartNew();
            var sweep = QualitySweep.Run(children, scratch, reportFolder, repository, model, budget, plan.SweepKeeps, plan.SweepLimit);
            results.Sweeps.Add(sweep);
            console.WriteLine($"  sweep {model.Name} {budget}: {sweep.Points.Count()} points in {Text.Fixed(clock.Elapsed.TotalSeconds, 0)} s{(sweep.Failures.Count > 0 ? ", FAILED: " + string.Join("; ", sweep.Failures) : "")}");
        }
    }

    /// <summary>
    /// The real-model corpus: each model through analyze, compress --keep-params 0.7 and an ONNX Runtime load; the table
    /// goes into docs/reliability.md ("Real-model corpus"), or DIR/corpus.md with --out. A failure (not a typed refusal) is a problem.
    /// </summary>
    private void MeasureCorpus(Repository repository, ChildProcesses children, string scratch, string reportFolder, BenchResults results)
    {
        var models = CorpusModels.Of(repository).Where(m => options.Models is null || options.Models.Contains(m.Name)).ToList();
        console.WriteLine($"corpus: {models.Count} models through analyze, compress --keep-params {Text.Number(CorpusRun.KeepParams)} and an ONNX Runtime load");
        var missing = Prerequisites.Prepare(repository, children, models, console);
        results.Problems.AddRange(missing.Where(p => !results.Problems.Contains(p)));
        var runs = new List<CorpusRun>();
        foreach (var model in models.Where(m => m.Exists))
        {
            var run = CorpusRun.Measure(children, scratch, model);
            runs.Add(run);
            console.WriteLine($"  corpus {model.Name}: {run.Layers?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} layers, " +
                $"{run.Compressed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} compressed, {Text.Fixed(run.Seconds, 1)} s: {run.Outcome}");
            if (run.Failed) results.Problems.Add($"corpus {model.Name}: {run.Outcome}");
        }
        var counts = CorpusDocument.Counts(runs);
        console.WriteLine($"corpus: {counts}");
        var document = CorpusDocument.Render(runs, missing, results);
        if (options.PublishesCorpus)
        {
            var path = Path.Combine(repository.Docs, "reliability.md");
            DocsBlock.Replace(path, document, DocsBlock.CorpusBegin, DocsBlock.CorpusEnd);
            console.WriteLine($"wrote the corpus table into {repository.Relative(path)}");
        }
        else
        {
            var path = Path.Combine(reportFolder, "corpus.md");
            File.WriteAllText(path, "## Real-model corpus\n\n" + document);
            console.WriteLine($"wrote {path}");
        }
    }

    /// <summary>Runs one of the other benchmark programs built beside the bench; its printed tables, or null (and a problem) when it failed.</summary>
    private string? RunProgram(ChildProcesses children, BenchResults results, string program, string what)
    {
        console.WriteLine($"  {what}");
        var (exit, output) = children.RunDotnetProgram(program, []);
        if (exit == 0) return output;
        results.Problems.Add($"{program} exited with {exit}: {Text.LastLines(output, 3)}");
        return null;
    }

    /// <param name="inProgress">While the run goes on, the last step finished; null for the final document.</param>
    private void Publish(BenchResults results, IReadOnlyList<TargetOutcome> targets, Repository repository, string reportFolder, string? inProgress)
    {
        if (options.PublishesDocs)
        {
            var doc = Path.Combine(repository.Docs, "benchmarks.md");
            DocsBlock.Replace(doc, ResultsDocument.Render(results, targets, repository, reportFolder, linkBase: "bench/", inProgress));
            if (inProgress is null) console.WriteLine($"wrote {repository.Relative(doc)} and the HTML reports in {repository.Relative(reportFolder)}/");
        }
        else
        {
            var path = Path.Combine(reportFolder, "results.md");
            File.WriteAllText(path, "## Benchmark results\n\n" + ResultsDocument.Render(results, targets, repository, reportFolder, linkBase: "", inProgress));
            if (inProgress is null) console.WriteLine($"wrote {path} and the HTML reports beside it");
        }
    }

    private void Summarize(BenchResults results, IReadOnlyList<TargetOutcome> targets)
    {
        console.WriteLine();
        foreach (var t in targets) console.WriteLine($"target: {t.Target}: {t.Measured} -> {t.Verdict.Replace("**", "")}");
        foreach (var note in results.Notes) console.WriteLine($"note: {note}");
        foreach (var problem in results.Problems) console.WriteLine($"PROBLEM: {problem}");
        console.WriteLine($"bench: {results.Compressions.Count} compressions, {results.Inference.Count} latency comparisons, " +
            $"{results.Sweeps.Sum(s => s.Points.Count())} sweep points in {Text.Fixed(results.Elapsed.TotalMinutes, 1)} min" +
            (results.CpuSeconds is { } cpu ? $" ({Text.Fixed(cpu / 60, 1)} min of CPU)" : "") + "; " +
            (results.Problems.Count == 0 ? "all figures sane" : $"{results.Problems.Count} problem(s)"));
    }
}
