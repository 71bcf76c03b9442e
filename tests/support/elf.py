"""The direct dependencies (DT_NEEDED) of an ELF shared library, read from the file: what `readelf -d`
prints as NEEDED, without needing binutils on the machine. 64-bit little-endian only (the PySide6 wheels)."""

from __future__ import annotations

import struct
from pathlib import Path

PT_DYNAMIC = 2
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5


def needed(path: Path) -> list[str]:
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{path} is not a 64-bit little-endian ELF file")
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segments = [struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize) for i in range(phnum)]
    load = [(vaddr, offset, filesz) for (ptype, _f, offset, vaddr, _p, filesz, _m, _a) in segments if ptype == 1]
    dynamic = next(((offset, filesz) for (ptype, _f, offset, _v, _p, filesz, _m, _a) in segments
                    if ptype == PT_DYNAMIC), None)
    if dynamic is None:
        return []

    def file_offset(vaddr: int) -> int:
        for start, offset, size in load:
            if start <= vaddr < start + size:
                return offset + vaddr - start
        raise ValueError(f"address {vaddr:#x} is in no loaded segment of {path}")

    entries = []
    offset, size = dynamic
    for pos in range(offset, offset + size, 16):
        tag, value = struct.unpack_from("<qQ", data, pos)
        if tag == DT_NULL:
            break
        entries.append((tag, value))
    strtab = file_offset(next(value for tag, value in entries if tag == DT_STRTAB))
    names = []
    for tag, value in entries:
        if tag == DT_NEEDED:
            end = data.index(b"\0", strtab + value)
            names.append(data[strtab + value:end].decode())
    return names
