using System.Runtime.InteropServices;

namespace OnnxLowRank.Runtime.Native;

/// <summary>
/// An ONNX Runtime object we own: released exactly once, by Dispose or, if forgotten, by the finalizer.
/// Each subclass names the OrtApi release function for its kind.
/// </summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;
}

internal sealed unsafe class OrtEnvHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseEnv(handle); return true; }
}

internal sealed unsafe class SessionOptionsHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseSessionOptions(handle); return true; }
}

internal sealed unsafe class SessionHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseSession(handle); return true; }
}

internal sealed unsafe class MemoryInfoHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseMemoryInfo(handle); return true; }
}

internal sealed unsafe class TypeInfoHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseTypeInfo(handle); return true; }
}

internal sealed unsafe class TensorTypeAndShapeInfoHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseTensorTypeAndShapeInfo(handle); return true; }
}

internal sealed unsafe class CudaProviderOptionsHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseCUDAProviderOptions(handle); return true; }
}

/// <summary>
/// An OrtValue. When it wraps managed memory, the pin is part of the handle and is freed only after
/// ONNX Runtime has released the value, so the buffer cannot move while ONNX Runtime can still read it.
/// </summary>
internal sealed unsafe class ValueHandle(IntPtr handle, GCHandle pin = default) : OrtHandle(handle)
{
    private GCHandle _pin = pin;

    protected override bool ReleaseHandle()
    {
        OrtApi.Instance.ReleaseValue(handle);
        if (_pin.IsAllocated) _pin.Free();
        return true;
    }
}

/// <summary>A string ONNX Runtime allocated with its default allocator; freed with that allocator.</summary>
internal sealed unsafe class AllocatedString : OrtHandle
{
    private AllocatedString(IntPtr text) : base(text) { }

    /// <summary>Takes ownership of <paramref name="text"/> and returns its contents.</summary>
    public static string Take(IntPtr text)
    {
        using var owned = new AllocatedString(text);
        return Utf8.Read((byte*)text) ?? "";
    }

    protected override bool ReleaseHandle()
    {
        var api = OrtApi.Instance;
        try
        {
            IntPtr allocator;
            api.VerifySuccess(api.GetAllocatorWithDefaultOptions(&allocator));
            api.VerifySuccess(api.AllocatorFree(allocator, (void*)handle));
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }
}
