using Google.Protobuf;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime.Tests.Support;

namespace OnnxLowRank.Runtime.Tests.Conformance;

public enum Verdict
{
    Passed,
    Failed,
    Unsupported,
}

/// <summary>The result of one ONNX backend test case run through the binding.</summary>
internal sealed record CaseOutcome(string Suite, string Name, Verdict Verdict, string? Reason, bool FloatingPoint, IReadOnlySet<string> OpTypes)
{
    /// <summary>The model ran only after <see cref="LegacyOpsetUpgrade"/> moved it to opset 7.</summary>
    public bool Upgraded { get; init; }

    /// <summary>Suite, case and the first line of the reason (ONNX Runtime's messages can run to several lines).</summary>
    public override string ToString() => $"{Suite}/{Name}: {Reason?.Split('\n')[0].TrimEnd()}";
}

/// <summary>
/// Runs one case folder (model.onnx + test_data_set_*/input_*.pb, output_*.pb): the i-th input file feeds the
/// i-th graph input that is not an initializer, and the j-th output file is compared with the j-th graph output.
/// </summary>
internal static class ConformanceCase
{
    public static CaseOutcome Run(string suite, string caseDirectory)
    {
        var name = Path.GetFileName(caseDirectory);
        var modelPath = Path.Combine(caseDirectory, "model.onnx");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        var graph = model.Graph;
        var ops = graph.Node.Select(n => n.OpType).ToHashSet();
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray();
        var outputs = graph.Output.ToArray();
        var floatingPoint = outputs.Any(o => o.Type?.TensorType is { } t && (TensorElementType)t.ElemType is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16);

        CaseOutcome Outcome(Verdict verdict, string? reason = null) => new(suite, name, verdict, reason, floatingPoint, ops);

        var nonTensor = inputs.Concat(outputs).FirstOrDefault(v => v.Type?.ValueCase != TypeProto.ValueOneofCase.TensorType);
        if (nonTensor is not null) return Outcome(Verdict.Unsupported, $"'{nonTensor.Name}' is a {nonTensor.Type?.ValueCase} value");
        var uncarried = inputs.Concat(outputs).FirstOrDefault(v => !TestVectorTensor.IsCarried((TensorElementType)v.Type.TensorType.ElemType));
        if (uncarried is not null)
            return Outcome(Verdict.Unsupported, $"'{uncarried.Name}' holds {(TensorElementType)uncarried.Type.TensorType.ElemType}, which OrtValue does not carry");

        using var options = OnnxRuntimeSessions.Options(intraOpThreads: 1);
        var upgraded = false;
        InferenceSession session;
        try
        {
            session = OnnxRuntimeSessions.Open(modelPath, options);
        }
        catch (OnnxRuntimeException refused) when (LegacyOpsetUpgrade.DeclaredOpset(model) < LegacyOpsetUpgrade.TargetOpset)
        {
            var obstacle = LegacyOpsetUpgrade.TryUpgrade(model);
            if (obstacle is not null) return Outcome(Verdict.Unsupported, $"{obstacle} ({refused.Reason})");
            try
            {
                session = OnnxRuntimeSessions.Open(model.ToByteArray(), options);
                upgraded = true;
            }
            catch (OnnxRuntimeException e)
            {
                return Outcome(Verdict.Unsupported, $"refused after upgrade to opset {LegacyOpsetUpgrade.TargetOpset}: {e.Reason}");
            }
        }
        catch (OnnxRuntimeException refused)
        {
            return Outcome(Verdict.Unsupported, refused.Reason);
        }

        using (session)
        {
            foreach (var dataSet in Directory.GetDirectories(caseDirectory, "test_data_set_*").Order())
            {
                var verdict = RunDataSet(session, dataSet, inputs, outputs);
                if (verdict is not null) return verdict with { Suite = suite, Name = name, FloatingPoint = floatingPoint, OpTypes = ops, Upgraded = upgraded };
            }
        }
        return Outcome(Verdict.Passed) with { Upgraded = upgraded };
    }

    /// <summary>Null when every output matches; otherwise the outcome that explains why not.</summary>
    private static CaseOutcome? RunDataSet(InferenceSession session, string dataSet, ValueInfoProto[] inputs, ValueInfoProto[] outputs)
    {
        var empty = new HashSet<string>();
        CaseOutcome Outcome(Verdict verdict, string reason) => new("", "", verdict, $"{Path.GetFileName(dataSet)}: {reason}", false, empty);

        var inputFiles = TestData.Files(dataSet, "input");
        var outputFiles = TestData.Files(dataSet, "output");
        var fed = new List<TestVectorTensor>();
        foreach (var file in inputFiles)
        {
            var tensor = TestVectorTensor.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(file)));
            if (tensor is null) return Outcome(Verdict.Unsupported, $"{Path.GetFileName(file)} has an element type OrtValue does not carry");
            fed.Add(tensor);
        }
        var expected = new List<TestVectorTensor>();
        foreach (var file in outputFiles)
        {
            var tensor = TestVectorTensor.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(file)));
            if (tensor is null) return Outcome(Verdict.Unsupported, $"{Path.GetFileName(file)} has an element type OrtValue does not carry");
            expected.Add(tensor);
        }

        var values = fed.Select(t => t.ToOrtValue()).ToArray();
        try
        {
            var outputNames = outputs.Take(expected.Count).Select(o => o.Name).ToArray();
            using var results = OnnxRuntimeSessions.Run(session, inputs.Take(values.Length).Select(i => i.Name).ToArray(), values, outputNames);
            for (var j = 0; j < expected.Count; j++)
            {
                var actual = TestVectorTensor.FromOrtValue(results[j]);
                if (actual is null) return Outcome(Verdict.Unsupported, $"output '{outputNames[j]}' has an element type OrtValue does not carry");
                var mismatch = expected[j].Mismatch(actual);
                if (mismatch is not null) return Outcome(Verdict.Failed, $"output '{outputNames[j]}' {mismatch}");
            }
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return Outcome(Verdict.Failed, $"run failed: {e.Message}");
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
