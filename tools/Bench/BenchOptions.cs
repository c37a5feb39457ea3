namespace OnnxLowRank.Bench;

/// <summary>What one run of the bench measures and where it writes.</summary>
/// <param name="Quick">The CI subset: reference models, few keeps, short timings; the figures are checked, not published.</param>
/// <param name="OutDirectory">Where results.md and the HTML reports go; null publishes into docs/ (full run) or artifacts/bench-quick (quick run).</param>
/// <param name="Models">Only these models (by name, e.g. resnet50), for a focused re-run; null measures the plan's all.</param>
/// <param name="CorpusOnly">Only the real-model corpus (analyze, compress, ONNX Runtime load), whose table goes into docs/reliability.md.</param>
internal sealed record BenchOptions(bool Quick, string? OutDirectory, IReadOnlySet<string>? Models, string CommandLine, bool CorpusOnly = false)
{
    public const string Usage = "usage: dotnet run -c Release --project tools/Bench -- [--quick | --corpus] [--out DIR] [--models NAME,...]";

    /// <summary>Parses the arguments; prints the usage and returns null when they are wrong or --help was asked.</summary>
    public static BenchOptions? Parse(string[] args, TextWriter error)
    {
        var quick = false;
        var corpus = false;
        string? output = null;
        HashSet<string>? models = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--corpus":
                    corpus = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--models" when i + 1 < args.Length:
                    models = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    break;
                default:
                    error.WriteLine(args[i] is "--help" or "-h" ? Usage : $"error: unknown argument '{args[i]}'\n{Usage}");
                    return null;
            }
        }
        var command = "dotnet run -c Release --project tools/Bench" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
        if (models is not null && output is null)
        {
            error.WriteLine($"error: --models measures part of the suite; give --out DIR so docs/benchmarks.md keeps a whole run\n{Usage}");
            return null;
        }
        if (quick && corpus)
        {
            error.WriteLine($"error: --quick and --corpus are two different runs; give one\n{Usage}");
            return null;
        }
        return new BenchOptions(quick, output, models, command, corpus);
    }

    /// <summary>A full run of every model without --out rewrites the tables in docs/benchmarks.md (and the corpus table in docs/reliability.md).</summary>
    public bool PublishesDocs => !Quick && !CorpusOnly && OutDirectory is null;

    /// <summary>The corpus table goes into docs/reliability.md from a full run or --corpus, without --out and --models.</summary>
    public bool PublishesCorpus => !Quick && OutDirectory is null && Models is null;
}
