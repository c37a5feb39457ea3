using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Validation;

/// <summary>A model session that computes its output with a given function and counts its runs.</summary>
internal sealed class ScriptedSession(Func<float[], float[]> perRow, int classes) : IModelSession
{
    public int Runs { get; private set; }

    public IReadOnlyList<ValueDescriptor> Inputs { get; } = [new("x", DataType.Float, [null, 2], ["N", null])];

    public IReadOnlyList<ValueDescriptor> Outputs { get; } = [new("y", DataType.Float, [null, classes], ["N", null])];

    public IReadOnlyDictionary<string, TensorData> Run(IReadOnlyDictionary<string, TensorData> inputs, IReadOnlyList<string>? outputNames = null)
    {
        Runs++;
        var x = inputs["x"];
        var rows = (int)x.Shape[0];
        var values = x.AsFloats();
        var y = Enumerable.Range(0, rows).SelectMany(r => perRow(values[(2 * r)..(2 * r + 2)])).ToArray();
        return new Dictionary<string, TensorData> { ["y"] = TensorData.FromFloats([rows, classes], y) };
    }

    public void Dispose() { }
}
