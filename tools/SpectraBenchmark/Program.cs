// Singular values per second by backend and shape: OpenBLAS (dsyrk + dsyevd), the managed fallback (blocked Gram +
// MathNet Evd) and MathNet's dense SVD as the baseline. Usage: dotnet run -c Release --project tools/SpectraBenchmark
using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Numerics;

var openBlas = LinearAlgebra.OpenBlas
    ?? throw new InvalidOperationException($"OpenBLAS is required for this benchmark: {LinearAlgebra.OpenBlasFailure}");
var managed = LinearAlgebra.Managed;

// Conv-like shapes (f x c*k*k) and a VGG-classifier-sized one; the slow baselines are skipped where one run takes minutes.
var shapes = new (int Rows, int Columns, bool Managed, bool DenseSvd)[]
{
    (64, 576, true, true), (256, 2304, true, true), (512, 4608, true, true), (1000, 2048, true, false), (4096, 25088, false, false),
};

// One matrix at a time on every core, as the managed Gram loop does too.
var defaultThreads = openBlas.ThreadCount;
openBlas.ThreadCount = Environment.ProcessorCount;
Console.WriteLine($"{Environment.ProcessorCount} cores, OpenBLAS '{openBlas.LibraryName}' with {openBlas.ThreadCount} threads, .NET {Environment.Version}");
Console.WriteLine();
Console.WriteLine("| shape | OpenBLAS (matrices/s) | managed Gram + MathNet Evd | MathNet dense Svd | OpenBLAS / Evd | OpenBLAS / Svd | max error vs reference (x sigma_1) |");
Console.WriteLine("|---|---|---|---|---|---|---|");
var random = new Random(1);
foreach (var (rows, columns, runManaged, runDenseSvd) in shapes)
{
    var w = RandomWeights(random, rows, columns);
    var (fast, fastValues) = Throughput(() => Spectrum.SingularValues(w, openBlas));
    var (evd, evdValues) = runManaged ? Throughput(() => Spectrum.SingularValues(w, managed)) : (double.NaN, null);
    var (svd, svdValues) = runDenseSvd
        ? Throughput(() => Matrix<double>.Build.DenseOfRowMajor(rows, columns, w.Values).Svd(computeVectors: false).S.ToArray())
        : (double.NaN, null);
    var reference = svdValues ?? evdValues;
    var error = reference is null ? "n/a" : $"{MaxDeviation(fastValues, reference):E1} vs {(svdValues is null ? "Evd" : "Svd")}";
    Console.WriteLine($"| {rows}x{columns} | {Rate(fast)} | {Rate(evd)} | {Rate(svd)} | {Ratio(fast, evd)} | {Ratio(fast, svd)} | {error} |");
}
Console.WriteLine();
Console.WriteLine("Skipped: the managed path on 4096x25088 and the dense SVD on 1000x2048 and 4096x25088 (minutes per matrix).");

// Layers are computed in parallel by callers. With more than one OpenBLAS thread calls are serialised (each uses
// every core); with one thread they run side by side.
Console.WriteLine();
Console.WriteLine("| workload | OpenBLAS threads | calls | matrices/s |");
Console.WriteLine("|---|---|---|---|");
var batch = Enumerable.Range(0, 48).Select(_ => RandomWeights(random, 256, 2304)).ToArray();
var large = Enumerable.Range(0, 4).Select(_ => RandomWeights(random, 1000, 2048)).ToArray();
foreach (var (label, matrices) in new[] { ("48 x 256x2304", batch), ("4 x 1000x2048", large) })
    foreach (var (threads, parallel) in new[] { (Environment.ProcessorCount, false), (Environment.ProcessorCount, true), (1, false), (1, true) })
    {
        openBlas.ThreadCount = threads;
        var watch = Stopwatch.StartNew();
        if (parallel)
            Parallel.ForEach(matrices, m => Spectrum.SingularValues(m, openBlas));
        else
            foreach (var m in matrices)
                Spectrum.SingularValues(m, openBlas);
        var calls = parallel ? threads == 1 ? "Parallel.ForEach, concurrent" : "Parallel.ForEach, serialised" : "sequential";
        Console.WriteLine($"| {label} | {threads} | {calls} | {Rate(matrices.Length / watch.Elapsed.TotalSeconds)} |");
    }
openBlas.ThreadCount = defaultThreads;

// Runs at least once and until about two seconds have passed; the first (untimed) run warms up the JIT for small shapes.
static (double PerSecond, double[] Values) Throughput(Func<double[]> compute)
{
    var warm = Stopwatch.StartNew();
    var values = compute();
    if (warm.Elapsed.TotalSeconds > 2)
        return (1 / warm.Elapsed.TotalSeconds, values);
    var runs = 0;
    var watch = Stopwatch.StartNew();
    do
    {
        values = compute();
        runs++;
    }
    while (watch.Elapsed.TotalSeconds < 2);
    return (runs / watch.Elapsed.TotalSeconds, values);
}

static RowMajorMatrix RandomWeights(Random random, int rows, int columns)
{
    var w = new RowMajorMatrix(rows, columns);
    var scale = 1 / Math.Sqrt(columns);
    for (var i = 0; i < w.Values.Length; i++)
        w.Values[i] = scale * (2 * random.NextDouble() - 1);
    return w;
}

static double MaxDeviation(double[] values, double[] reference) =>
    values.Zip(reference, (a, b) => Math.Abs(a - b)).Max() / reference[0];

static string Rate(double perSecond) => double.IsNaN(perSecond) ? "skipped" : perSecond >= 100 ? $"{perSecond:F0}" : perSecond >= 1 ? $"{perSecond:F2}" : $"{perSecond:F4}";

static string Ratio(double fast, double slow) => double.IsNaN(slow) ? "-" : $"{fast / slow:F1}x";
