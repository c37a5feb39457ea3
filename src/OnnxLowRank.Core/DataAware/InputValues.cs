using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// A floating-point tensor's values read as double where they lie, so a batch of activations is
/// never copied whole (the engine's float outputs are already the largest thing in memory).
/// </summary>
internal readonly struct InputValues
{
    private readonly float[]? _floats;
    private readonly double[]? _doubles;
    private readonly Half[]? _halves;

    public InputValues(TensorData tensor)
    {
        switch (tensor.Values)
        {
            case float[] f: _floats = f; break;
            case double[] d: _doubles = d; break;
            case Half[] h: _halves = h; break;
            default: throw new InvalidOperationException($"A layer input of {tensor.ElementType} is not floating point.");
        }
        Shape = tensor.Shape;
    }

    public long[] Shape { get; }

    public double this[long index] => _floats is not null ? _floats[index] : _doubles is not null ? _doubles[index] : (double)_halves![index];
}
