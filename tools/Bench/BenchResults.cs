namespace OnnxLowRank.Bench;

/// <summary>Everything one run measured, in the order the sections ran; the document and the checks read it.</summary>
internal sealed class BenchResults(BenchOptions options, Machine machine, DateTimeOffset started, double? loadAtStart)
{
    public BenchOptions Options { get; } = options;

    public Machine Machine { get; } = machine;

    public DateTimeOffset Started { get; } = started;

    public double? LoadAtStart { get; } = loadAtStart;

    public double? LoadAtEnd { get; set; }

    public TimeSpan Elapsed { get; set; }

    public List<CompressionRun> Compressions { get; } = [];

    public List<InferenceRow> Inference { get; } = [];

    public List<QualitySweep> Sweeps { get; } = [];

    /// <summary>SpectraBenchmark's printed tables, when it ran.</summary>
    public string? Spectra { get; set; }

    /// <summary>PaddleOcrBenchmark's printed tables, when it ran.</summary>
    public string? PaddleOcr { get; set; }

    /// <summary>CPU seconds of the bench and every child it waited for, user and system.</summary>
    public double? CpuSeconds { get; set; }

    /// <summary>What was left out on purpose, and why.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Failures and figures outside their sane range; any makes the run exit non-zero.</summary>
    public List<string> Problems { get; } = [];
}
