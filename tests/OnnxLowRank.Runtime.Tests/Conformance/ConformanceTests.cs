using System.Diagnostics;
using OnnxLowRank.Runtime.Tests.Support;

namespace OnnxLowRank.Runtime.Tests.Conformance;

/// <summary>
/// ONNX's own backend test vectors, run through the binding and compared with ONNX's expected outputs
/// (rtol 1e-3, atol 1e-5 for floating point, exact otherwise).
/// </summary>
public class ConformanceTests
{
    private static readonly string[] Suites = ["node", "pytorch-converted", "pytorch-operator", "simple"];

    /// <summary>The layers OnnxLowRank factorizes: these must all be right wherever ONNX Runtime loads them.</summary>
    private static readonly string[] FactorizedOps = ["Conv", "ConvTranspose", "Gemm", "MatMul"];

    [Test]
    public void OnnxBackendTestVectorsMatchTheirExpectedOutputs()
    {
        var clock = Stopwatch.StartNew();
        var outcomes = new List<CaseOutcome>();
        foreach (var suite in Suites)
        {
            var folder = Path.Combine(TestData.Root, suite);
            if (!Directory.Exists(folder)) Assert.Fail($"{folder} is missing: install the Debian package libonnx-testdata.");
            foreach (var caseDirectory in Directory.GetDirectories(folder).Order())
                outcomes.Add(ConformanceCase.Run(suite, caseDirectory));
        }
        clock.Stop();

        var output = TestContext.Out;
        foreach (var suite in Suites)
        {
            var inSuite = outcomes.Where(o => o.Suite == suite).ToList();
            output.WriteLine($"{suite}: {Count(inSuite, Verdict.Passed)} passed, {Count(inSuite, Verdict.Failed)} failed, {Count(inSuite, Verdict.Unsupported)} unsupported");
        }
        output.WriteLine($"all: {Count(outcomes, Verdict.Passed)} passed, {Count(outcomes, Verdict.Failed)} failed, {Count(outcomes, Verdict.Unsupported)} unsupported, in {clock.Elapsed.TotalSeconds:F1} s");
        var upgraded = outcomes.Where(o => o.Upgraded).ToList();
        output.WriteLine($"run after an opset 6 -> 7 upgrade: {upgraded.Count} ({Count(upgraded, Verdict.Passed)} passed)");
        output.WriteLine("failed:");
        foreach (var o in outcomes.Where(o => o.Verdict == Verdict.Failed)) output.WriteLine($"  {o}");
        output.WriteLine("unsupported:");
        foreach (var o in outcomes.Where(o => o.Verdict == Verdict.Unsupported)) output.WriteLine($"  {o}");

        var floatRun = outcomes.Where(o => o.FloatingPoint && o.Verdict != Verdict.Unsupported).ToList();
        var factorized = floatRun.Where(o => o.OpTypes.Overlaps(FactorizedOps) || o.Name.Contains("Linear", StringComparison.Ordinal)).ToList();
        var floatPassRate = (double)Count(floatRun, Verdict.Passed) / floatRun.Count;
        output.WriteLine($"floating point: {Count(floatRun, Verdict.Passed)} of {floatRun.Count} run pass ({floatPassRate:P1}); Conv/ConvTranspose/Gemm/MatMul/Linear: {Count(factorized, Verdict.Passed)} of {factorized.Count}");

        Assert.Multiple(() =>
        {
            Assert.That(factorized.Where(o => o.Verdict != Verdict.Passed), Is.Empty, "every floating-point Conv, ConvTranspose, Gemm, MatMul and Linear case passes");
            Assert.That(factorized, Has.Count.GreaterThanOrEqualTo(60), "the factorized operators are well covered");
            Assert.That(floatPassRate, Is.GreaterThanOrEqualTo(0.95), "floating-point pass rate");
            Assert.That(Count(outcomes, Verdict.Passed), Is.GreaterThan(800), "passed cases");
        });
    }

    private static int Count(IEnumerable<CaseOutcome> outcomes, Verdict verdict) => outcomes.Count(o => o.Verdict == verdict);
}
