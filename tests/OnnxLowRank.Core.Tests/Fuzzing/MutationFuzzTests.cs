using System.Diagnostics;
using System.Globalization;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Tests.Hostile;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of valid models, each taken along the compress path by <see cref="ModelTrial"/>.
/// Every case must end in a typed error or in a model ONNX Runtime loads: no crash, no hang, no
/// allocation past the bound. By default it runs for ONNXLOWRANK_FUZZ_SECONDS (60) and needs at
/// least 500 cases; ONNXLOWRANK_FUZZ_CASES=N runs exactly N cases (the documented run uses 5000);
/// ONNXLOWRANK_FUZZ_CASE=i replays case i alone and writes its model to fuzz-case-i.onnx in the test's
/// work folder, for a closer look.
/// </summary>
public class MutationFuzzTests
{
    private const int MinimumCases = 500;

    /// <summary>Initializers listed as inputs (old exporters) are taken as constants, so the pytorch-converted seeds have layers.</summary>
    private static readonly PipelineOptions Options = ModelTrial.DefaultOptions with { RemoveInitializerInputs = true };
    private const int BaseSeed = 20261122;
    private const long AllocationLimit = 256L << 20;
    private static readonly TimeSpan SmallTimeLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LargeTimeLimit = TimeSpan.FromSeconds(60);

    [Test]
    public void MutatedModelsEndInATypedErrorOrAModelTheEngineLoads()
    {
        var seeds = FuzzSeeds.Load();
        var replay = Environment("ONNXLOWRANK_FUZZ_CASE");
        var fixedCount = Environment("ONNXLOWRANK_FUZZ_CASES");
        var budget = TimeSpan.FromSeconds(Environment("ONNXLOWRANK_FUZZ_SECONDS") ?? 60);

        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        long mostAllocated = 0;
        var cases = 0;
        for (var index = replay ?? 0; ; index++)
        {
            if (replay is not null ? cases == 1 : fixedCount is { } n ? cases == n : clock.Elapsed >= budget) break;
            var (seed, bytes, mutation) = Case(seeds, index);
            cases++;
            if (replay is not null)
            {
                var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"fuzz-case-{index}.onnx");
                File.WriteAllBytes(path, bytes);
                TestContext.Out.WriteLine($"case {index} ({seed.Name}, {mutation}) written to {path}");
            }
            try
            {
                var result = ModelTrial.Run(bytes, Options, seed.IsLarge ? LargeTimeLimit : SmallTimeLimit, AllocationLimit);
                var key = $"{(mutation.StartsWith("bytes", StringComparison.Ordinal) ? "byte" : "field")} mutation -> {result.Outcome}";
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                if (result.Error is OnnxRuntimeException { MemoryLimitReached: true })
                    outcomes["engine memory limit reached"] = outcomes.GetValueOrDefault("engine memory limit reached") + 1;
                if (result.Elapsed > slowest) slowest = result.Elapsed;
                mostAllocated = Math.Max(mostAllocated, result.AllocatedBytes);
            }
            catch (TrialFailure e)
            {
                failures.Add($"case {index} ({seed.Name}, {mutation}): {e.Message}{(e.InnerException is { } inner ? $"\n    {inner.GetType().Name} at {inner.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}" : "")}");
            }
        }

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"fuzz: {cases} cases from {seeds.Count} seeds in {clock.Elapsed.TotalSeconds:0.0} s, {failures.Count} failures; slowest case {slowest.TotalMilliseconds:0} ms, most allocated {mostAllocated >> 10} KiB");
        TestContext.Out.WriteLine(summary);
        foreach (var (kind, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal)) TestContext.Out.WriteLine($"  {kind}: {count}");
        Assert.That(failures, Is.Empty, () => $"{summary}\n{string.Join("\n", failures.Take(40))}");
        if (replay is null && fixedCount is null)
            Assert.That(cases, Is.GreaterThanOrEqualTo(MinimumCases), $"only {cases} cases fit in {budget.TotalSeconds} s; raise ONNXLOWRANK_FUZZ_SECONDS");
    }

    /// <summary>Case i: its seed model and mutation depend on i alone, so any case can be replayed.</summary>
    private static (FuzzSeed Seed, byte[] Bytes, string Mutation) Case(IReadOnlyList<FuzzSeed> seeds, int index)
    {
        var random = new Random(BaseSeed + index);
        var small = seeds.Where(s => !s.IsLarge).ToList();
        var large = seeds.Where(s => s.IsLarge).ToList();
        // The reference models take seconds each; one case in 25 keeps them in the mix without eating the budget.
        var seed = large.Count > 0 && random.Next(25) == 0 ? large[random.Next(large.Count)] : small[random.Next(small.Count)];
        var bytes = seed.Bytes;
        var steps = new List<string>();
        var count = 1 + (random.Next(4) == 0 ? random.Next(3) : 0);
        var byteLevel = random.Next(2) == 0;
        for (var i = 0; i < count; i++)
        {
            if (byteLevel)
            {
                (bytes, var step) = ByteMutation.Apply(bytes, random);
                steps.Add(step);
            }
            else if (FieldMutation.Apply(bytes, random) is { } mutated)
            {
                bytes = mutated.Bytes;
                steps.Add(mutated.Description);
            }
        }
        return (seed, bytes, $"{(byteLevel ? "bytes" : "fields")}: {(steps.Count == 0 ? "unchanged" : string.Join("; ", steps))}");
    }

    private static int? Environment(string name) =>
        int.TryParse(System.Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
