# Writes the small numpy fixtures the data-source tests read. Run once with /usr/bin/python3 (numpy);
# the tests check values against the formulas below, not against this script's output.
import io
import numpy as np
from numpy.lib import format as npformat

base = np.arange(6).reshape(2, 3)          # values 0..5, shape (2, 3)
np.save("f4.npy", (base * 0.5).astype("<f4"))
np.save("f8.npy", (base * 0.25).astype("<f8"))
np.save("i8.npy", (base - 2).astype("<i8"))
np.save("i4.npy", (base * 3).astype("<i4"))
np.save("u1.npy", (base * 40).astype("|u1"))
np.save("b1.npy", (base % 2 == 1))
for version in [(2, 0), (3, 0)]:
    with open(f"f4-v{version[0]}.npy", "wb") as f:
        npformat.write_array(f, (base * 0.5).astype("<f4"), version=version)
np.save("fortran.npy", np.asfortranarray((base * 0.5).astype("<f4")))
np.save("big-endian.npy", (base * 0.5).astype(">f4"))
# Four samples of a [batch, 2, 3] input: sample s holds s*10 + (0..5); labels are 3 - s.
samples = (np.arange(4)[:, None, None] * 10 + base[None]).astype("<f4")
np.savez("named.npz", x=samples, labels=np.array([3, 2, 1, 0], dtype="<i8"))
np.savez_compressed("compressed.npz", samples.reshape(4, 6))
