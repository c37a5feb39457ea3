namespace OnnxLowRank.Bench;

/// <summary>What one run of the bench measures and where it writes.</summary>
/// <param name="Quick">The CI subset: reference models, few keeps, short timings; the figures are checked, not published.</param>
/// <param name="OutDirectory">Where results.md and the HTML reports go; null publishes into docs/ (full run) or artifacts/bench-quick (quick run).</param>
/// <param name="Models">Only these models (by name, e.g. resnet50), for a focused re-run; null measures the plan's all.</param>
internal sealed record BenchOptions(bool Quick, string? OutDirectory, IReadOnlySet<string>? Models, string CommandLine)
{
    public const string Usage = "usage: dotnet run -c Release --project tools/Bench -- [--quick] [--out DIR] [--models NAME,...]";

    /// <summary>Parses the arguments; prints the usage and returns null when they are wrong or --help was asked.</summary>
    public static BenchOptions? Parse(string[] args, TextWriter error)
    {
        var quick = false;
        string? output = null;
        HashSet<string>? models = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
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
        return new BenchOptions(quick, output, models, command);
    }

    /// <summary>A full run of every model without --out rewrites the tables in docs/benchmarks.md.</summary>
    public bool PublishesDocs => !Quick && OutDirectory is null;
}
