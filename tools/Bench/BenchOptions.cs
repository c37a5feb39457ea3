namespace OnnxLowRank.Bench;

/// <summary>What one run of the bench measures and where it writes.</summary>
/// <param name="Quick">The CI subset: reference models, few keeps, short timings; the figures are checked, not published.</param>
/// <param name="OutDirectory">Where results.md and the HTML reports go; null publishes into docs/ (full run) or artifacts/bench-quick (quick run).</param>
internal sealed record BenchOptions(bool Quick, string? OutDirectory, string CommandLine)
{
    public const string Usage = "usage: dotnet run -c Release --project tools/Bench -- [--quick] [--out DIR]";

    /// <summary>Parses the arguments; prints the usage and returns null when they are wrong or --help was asked.</summary>
    public static BenchOptions? Parse(string[] args, TextWriter error)
    {
        var quick = false;
        string? output = null;
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
                default:
                    error.WriteLine(args[i] is "--help" or "-h" ? Usage : $"error: unknown argument '{args[i]}'\n{Usage}");
                    return null;
            }
        }
        var command = "dotnet run -c Release --project tools/Bench" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
        return new BenchOptions(quick, output, command);
    }

    /// <summary>A full run without --out rewrites the tables in docs/benchmarks.md.</summary>
    public bool PublishesDocs => !Quick && OutDirectory is null;
}
