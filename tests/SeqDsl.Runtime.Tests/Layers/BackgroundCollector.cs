namespace SeqDsl.Runtime.Tests.Layers;

/// <summary>
/// A thread that collects garbage and runs finalizers without pause until disposed: the situation in which a temporary
/// TorchSharp scalar is freed while libtorch still reads it (see <see cref="TorchScalars"/>).
/// </summary>
internal sealed class BackgroundCollector : IDisposable
{
    private readonly Thread _thread;
    private int _stop;

    public BackgroundCollector()
    {
        _thread = new Thread(() =>
        {
            while (Volatile.Read(ref _stop) == 0)
            {
                GC.Collect(0);
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        _thread.Start();
    }

    public void Dispose()
    {
        Volatile.Write(ref _stop, 1);
        _thread.Join();
    }
}
