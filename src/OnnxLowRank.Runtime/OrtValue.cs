using System.Runtime.InteropServices;
using OnnxLowRank.Runtime.Native;

namespace OnnxLowRank.Runtime;

/// <summary>
/// A value ONNX Runtime reads or produced: a tensor over a pinned managed array (input), or a tensor
/// ONNX Runtime allocated (output of <see cref="InferenceSession.Run"/>). Dispose it when done.
/// </summary>
public sealed unsafe class OrtValue : IDisposable
{
    internal OrtValue(ValueHandle handle) => Handle = handle;

    internal ValueHandle Handle { get; }

    /// <summary>
    /// A tensor that reads and writes <paramref name="data"/> in place. The array stays pinned until the
    /// value is disposed (or finalized), so ONNX Runtime never sees it move.
    /// </summary>
    public static OrtValue CreateTensorValueFromMemory<T>(T[] data, long[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var elementType = ClrElementTypes.Of<T>();
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Dimension {d} of shape [{string.Join(",", shape)}] is negative.", nameof(shape));
            count = checked(count * d);
        }
        if (count != data.LongLength)
            throw new ArgumentException($"Shape [{string.Join(",", shape)}] holds {count} elements but the array has {data.LongLength}.", nameof(data));

        var api = OrtApi.Instance;
        var env = OrtEnv.Instance();
        var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            IntPtr value;
            fixed (long* dims = shape)
            {
                api.VerifySuccess(api.CreateTensorWithDataAsOrtValue(
                    env.CpuMemory.DangerousGetHandle(), (void*)pin.AddrOfPinnedObject(), (nuint)(data.LongLength * sizeof(T)),
                    dims, (nuint)shape.Length, (int)elementType, &value));
            }
            return new OrtValue(new ValueHandle(value, pin));
        }
        catch
        {
            pin.Free();
            throw;
        }
    }

    /// <summary>The kind of value: tensor, sequence, map, optional, ...</summary>
    public OnnxValueType OnnxType
    {
        get
        {
            var api = OrtApi.Instance;
            int type;
            api.VerifySuccess(api.GetValueType(Handle.DangerousGetHandle(), &type));
            return (OnnxValueType)type;
        }
    }

    public bool IsTensor => OnnxType == OnnxValueType.ONNX_TYPE_TENSOR;

    public OrtTensorTypeAndShapeInfo GetTensorTypeAndShape()
    {
        var api = OrtApi.Instance;
        IntPtr info;
        api.VerifySuccess(api.GetTensorTypeAndShape(Handle.DangerousGetHandle(), &info));
        using var owned = new TensorTypeAndShapeInfoHandle(info);
        int elementType;
        nuint rank, count;
        api.VerifySuccess(api.GetTensorElementType(info, &elementType));
        api.VerifySuccess(api.GetDimensionsCount(info, &rank));
        var shape = new long[(int)rank];
        fixed (long* dims = shape) api.VerifySuccess(api.GetDimensions(info, dims, rank));
        api.VerifySuccess(api.GetTensorShapeElementCount(info, &count));
        return new OrtTensorTypeAndShapeInfo((TensorElementType)elementType, (long)count, shape);
    }

    /// <summary>The tensor's elements, valid while this value is alive. <typeparamref name="T"/> must match the element type.</summary>
    public ReadOnlySpan<T> GetTensorDataAsSpan<T>() where T : unmanaged => GetTensorMutableDataAsSpan<T>();

    /// <summary>The tensor's elements, writable, valid while this value is alive.</summary>
    public Span<T> GetTensorMutableDataAsSpan<T>() where T : unmanaged
    {
        var info = GetTensorTypeAndShape();
        var requested = ClrElementTypes.Of<T>();
        if (info.ElementDataType != requested)
            throw new InvalidOperationException($"The tensor holds {info.ElementDataType}, not {requested}.");
        if (info.ElementCount == 0) return Span<T>.Empty;
        var api = OrtApi.Instance;
        void* data;
        api.VerifySuccess(api.GetTensorMutableData(Handle.DangerousGetHandle(), &data));
        return new Span<T>(data, checked((int)info.ElementCount));
    }

    /// <summary>A managed copy of the tensor's elements.</summary>
    public T[] GetTensorDataAsArray<T>() where T : unmanaged => GetTensorDataAsSpan<T>().ToArray();

    public void Dispose() => Handle.Dispose();
}
