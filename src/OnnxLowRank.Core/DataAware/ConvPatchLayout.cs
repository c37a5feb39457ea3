using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Conv inputs (N, C, d1..dn): one vector per (sample, output position) and group, holding the group's
/// c_g channels times every kernel offset, at (channel * prod(kernel) + offset). Positions in the
/// padding read zero, as the convolution does. Strides, dilations, pads and auto_pad follow ONNX Conv.
/// </summary>
internal sealed class ConvPatchLayout : InputVectorLayout
{
    private readonly int _channelsPerGroup;
    private readonly int _inputChannels;
    private readonly int[] _kernel;
    private readonly long[] _strides;
    private readonly long[] _dilations;
    private readonly long[]? _pads;
    private readonly string _autoPad;
    private readonly string _layerName;

    public ConvPatchLayout(CompressibleLayer layer)
    {
        var geometry = layer.Geometry;
        _layerName = layer.NodeName;
        _channelsPerGroup = geometry.InputsPerGroup;
        _inputChannels = geometry.InputChannels;
        _kernel = geometry.KernelShape.ToArray();
        var rank = _kernel.Length;
        var attributes = ConvAttributes.Of(layer);
        _strides = attributes.Strides ?? Enumerable.Repeat(1L, rank).ToArray();
        _dilations = attributes.Dilations ?? Enumerable.Repeat(1L, rank).ToArray();
        _pads = attributes.Pads;
        _autoPad = attributes.AutoPad;
        if (_strides.Length != rank || _dilations.Length != rank || (_pads is not null && _pads.Length != 2 * rank))
            throw new InvalidModelException($"Conv strides, dilations or pads do not match its {rank}-D kernel.", subject: _layerName);
    }

    public override long VectorCount(long[] shape)
    {
        var (_, outSize) = Window(shape);
        return shape[0] * outSize.Aggregate(1L, (a, d) => a * d);
    }

    public override void Fill(InputValues values, int group, long[] indices, RowMajorMatrix target)
    {
        var shape = values.Shape;
        var (padBegin, outSize) = Window(shape);
        var rank = _kernel.Length;
        var inSize = shape[2..];
        var inPlane = inSize.Aggregate(1L, (a, d) => a * d);
        var outPlane = outSize.Aggregate(1L, (a, d) => a * d);
        var kernelSize = _kernel.Aggregate(1, (a, d) => a * d);
        // Per kernel offset, its displacement along each spatial axis.
        var reach = new long[kernelSize, rank];
        for (var kk = 0; kk < kernelSize; kk++)
            for (int a = rank - 1, rest = kk; a >= 0; a--)
            {
                reach[kk, a] = rest % _kernel[a] * _dilations[a];
                rest /= _kernel[a];
            }

        var count = indices.Length;
        var start = new long[rank];
        for (var s = 0; s < count; s++)
        {
            var sample = indices[s] / outPlane;
            var position = indices[s] % outPlane;
            for (var a = rank - 1; a >= 0; a--)
            {
                start[a] = position % outSize[a] * _strides[a] - padBegin[a];
                position /= outSize[a];
            }
            for (var kk = 0; kk < kernelSize; kk++)
            {
                long offset = 0;
                var inside = true;
                for (var a = 0; a < rank && inside; a++)
                {
                    var p = start[a] + reach[kk, a];
                    inside = p >= 0 && p < inSize[a];
                    offset = offset * inSize[a] + p;
                }
                for (var ci = 0; ci < _channelsPerGroup; ci++)
                {
                    var channel = (long)group * _channelsPerGroup + ci;
                    target.Values[((long)ci * kernelSize + kk) * count + s] =
                        inside ? values[(sample * _inputChannels + channel) * inPlane + offset] : 0;
                }
            }
        }
    }

    /// <summary>Leading pads and output sizes per spatial axis for an input of this shape.</summary>
    private (long[] PadBegin, long[] OutSize) Window(long[] shape)
    {
        var rank = _kernel.Length;
        if (shape.Length != rank + 2 || shape[1] != _inputChannels)
            throw new InvalidOperationException($"Conv '{_layerName}' input of shape [{string.Join(",", shape)}] is not (N, {_inputChannels}, {rank} spatial axes).");
        var padBegin = new long[rank];
        var outSize = new long[rank];
        for (var a = 0; a < rank; a++)
        {
            var input = shape[a + 2];
            var span = (_kernel[a] - 1) * _dilations[a] + 1;
            switch (_autoPad)
            {
                case "SAME_UPPER" or "SAME_LOWER":
                    outSize[a] = (input + _strides[a] - 1) / _strides[a];
                    var total = Math.Max(0, (outSize[a] - 1) * _strides[a] + span - input);
                    padBegin[a] = _autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                    break;
                case "VALID":
                    outSize[a] = input < span ? 0 : (input - span) / _strides[a] + 1;
                    break;
                default:
                    padBegin[a] = _pads?[a] ?? 0;
                    var padEnd = _pads?[a + rank] ?? 0;
                    var padded = input + padBegin[a] + padEnd;
                    outSize[a] = padded < span ? 0 : (padded - span) / _strides[a] + 1;
                    break;
            }
            if (outSize[a] < 1)
                throw new InvalidOperationException($"Conv '{_layerName}' has no output positions for an input of shape [{string.Join(",", shape)}].");
        }
        return (padBegin, outSize);
    }
}
