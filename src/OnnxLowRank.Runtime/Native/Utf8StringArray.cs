using System.Runtime.InteropServices;

namespace OnnxLowRank.Runtime.Native;

/// <summary>Strings copied to native memory as null-terminated UTF-8, for the C API's <c>const char* const*</c> parameters.</summary>
internal sealed class Utf8StringArray : IDisposable
{
    public Utf8StringArray(IEnumerable<string> strings)
    {
        var pointers = new List<IntPtr>();
        try
        {
            foreach (var s in strings) pointers.Add(Marshal.StringToCoTaskMemUTF8(s));
        }
        catch
        {
            foreach (var p in pointers) Marshal.FreeCoTaskMem(p);
            throw;
        }
        Pointers = pointers.ToArray();
    }

    public IntPtr[] Pointers { get; }

    public int Length => Pointers.Length;

    public void Dispose()
    {
        foreach (var p in Pointers) Marshal.FreeCoTaskMem(p);
        Array.Clear(Pointers);
    }
}
