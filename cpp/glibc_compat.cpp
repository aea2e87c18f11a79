// Linked into the prebuilt addons only (AK_PORTABLE, scripts/build/prebuild.js). libstdc++ and
// libgcc are linked in statically there, and as built on Debian 12 they call two glibc functions
// newer than glibc 2.34: arc4random (2.36, std::random_device, which this addon never uses but
// which comes along with std::string) and _dl_find_object (2.35, the exception unwinder's lookup of
// the code's unwind tables). Defining both here, hidden, binds those calls to these definitions
// when the addon is linked, so the addon asks nothing newer of glibc than 2.34 (the pthread
// functions). Both are written from their glibc manual pages, on top of older calls: getrandom
// (2.25) and dl_iterate_phdr.

#include <dlfcn.h>
#include <link.h>
#include <sys/random.h>

#include <cstdint>

#define AK_HIDDEN extern "C" __attribute__((visibility("hidden")))

AK_HIDDEN uint32_t arc4random(void) {
  uint32_t value = 0;
  while (getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
  }
  return value;
}

namespace {

struct Lookup {
  uintptr_t pc;
  dl_find_object *result;
  bool found;
};

// For the loaded object whose PT_LOAD segments hold pc: the extent of those segments and the
// address of its PT_GNU_EH_FRAME segment (.eh_frame_hdr), which the unwinder reads.
int visit(dl_phdr_info *info, size_t, void *data) {
  auto *lookup = static_cast<Lookup *>(data);
  uintptr_t start = UINTPTR_MAX, end = 0;
  bool inside = false;
  void *ehFrame = nullptr;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) &ph = info->dlpi_phdr[i];
    const uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD) {
      if (lookup->pc >= begin && lookup->pc < begin + ph.p_memsz) inside = true;
      if (begin < start) start = begin;
      if (begin + ph.p_memsz > end) end = begin + ph.p_memsz;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      ehFrame = reinterpret_cast<void *>(begin);
    }
  }
  if (!inside) return 0;
  *lookup->result = dl_find_object{};
  lookup->result->dlfo_map_start = reinterpret_cast<void *>(start);
  lookup->result->dlfo_map_end = reinterpret_cast<void *>(end);
  lookup->result->dlfo_eh_frame = ehFrame;
  lookup->found = true;
  return 1;
}

}  // namespace

// 0 and *result filled when pc lies in a loaded object, else -1 (glibc's contract). The link map
// is left null: the unwinder does not read it.
AK_HIDDEN int _dl_find_object(void *pc, dl_find_object *result) {
  Lookup lookup{reinterpret_cast<uintptr_t>(pc), result, false};
  dl_iterate_phdr(visit, &lookup);
  return lookup.found ? 0 : -1;
}
