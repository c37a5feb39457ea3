namespace OnnxLowRank.Runtime;

/// <summary>Values that are owned together: disposing the collection disposes every value.</summary>
public interface IDisposableReadOnlyCollection<T> : IReadOnlyList<T>, IDisposable;

internal sealed class DisposableList<T>(IReadOnlyList<T> items) : IDisposableReadOnlyCollection<T> where T : IDisposable
{
    public T this[int index] => items[index];

    public int Count => items.Count;

    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var item in items) item.Dispose();
    }
}
