// What picolibc asks of the system it runs on (its doc/os.md), served with zxvp's system calls:
// the console (stdin, stdout, stderr and write() go to zx_debug_write; reads see end of file),
// the heap (sbrk over a VMO mapped at start), the clock (simulated time), the exit. Files do not
// exist: open() and stat() say ENOENT.
#include "runtime.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

// --- Console ---

// Zircon writes at most 256 bytes a zx_debug_write: the buffer holds one call's worth, sent at
// each end of line, when full, on fflush and at exit.
static char console_buffer[256];
static size_t console_used;

static void console_flush(void) {
  if (console_used != 0) {
    zx_debug_write(console_buffer, console_used);
    console_used = 0;
  }
}

static int console_put(char c, FILE* file) {
  (void)file;
  console_buffer[console_used++] = c;
  if (c == '\n' || console_used == sizeof console_buffer) console_flush();
  return (unsigned char)c;
}

static int console_get(FILE* file) {
  (void)file;
  return EOF;
}

static int console_flush_file(FILE* file) {
  (void)file;
  console_flush();
  return 0;
}

static FILE console =
    FDEV_SETUP_STREAM(console_put, console_get, console_flush_file, _FDEV_SETUP_RW);
FILE* const stdin = &console;
FILE* const stdout = &console;
FILE* const stderr = &console;

ssize_t write(int fd, const void* buffer, size_t length) {
  if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
    errno = EBADF;
    return -1;
  }
  console_flush();
  const char* bytes = buffer;
  for (size_t done = 0; done < length;) {
    const size_t piece =
        length - done < sizeof console_buffer ? length - done : sizeof console_buffer;
    if (zx_debug_write(bytes + done, piece) != ZX_OK) {
      errno = EFAULT;
      return -1;
    }
    done += piece;
  }
  return (ssize_t)length;
}

ssize_t read(int fd, void* buffer, size_t length) {
  (void)buffer;
  (void)length;
  if (fd == STDIN_FILENO) return 0;
  errno = EBADF;
  return -1;
}

int open(const char* path, int flags, ...) {
  (void)path;
  (void)flags;
  errno = ENOENT;
  return -1;
}

int close(int fd) {
  if (fd >= 0 && fd <= STDERR_FILENO) return 0;
  errno = EBADF;
  return -1;
}

off_t lseek(int fd, off_t offset, int whence) {
  (void)fd;
  (void)offset;
  (void)whence;
  errno = ESPIPE;
  return -1;
}

int fstat(int fd, struct stat* status) {
  if (fd < 0 || fd > STDERR_FILENO) {
    errno = EBADF;
    return -1;
  }
  memset(status, 0, sizeof *status);
  status->st_mode = S_IFCHR;
  return 0;
}

int stat(const char* path, struct stat* status) {
  (void)path;
  (void)status;
  errno = ENOENT;
  return -1;
}

int unlink(const char* path) {
  (void)path;
  errno = ENOENT;
  return -1;
}

// --- The process ---

void _exit(int status) {
  console_flush();
  zx_process_exit(status);
}

pid_t getpid(void) {
  return 1;
}

// abort() and raise() end up here: the process ends as a shell reports a signal, 128 + signal.
int kill(pid_t pid, int signal) {
  (void)pid;
  _exit(128 + signal);
}

int sigprocmask(int how, const sigset_t* set, sigset_t* old) {
  (void)how;
  (void)set;
  if (old != NULL) memset(old, 0, sizeof *old);
  return 0;
}

// --- Heap ---

// The heap's size; a program may define its own `const size_t zxvp_heap_size`. Its pages cost
// nothing until touched.
__attribute__((weak)) const size_t zxvp_heap_size = (size_t)256 << 20;

static char* heap_start;
static char* heap_end;
static char* heap_top;

void __zxvp_heap_start(void) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  if (zx_vmo_create(zxvp_heap_size, 0, &vmo) != ZX_OK) return;
  zx_vaddr_t address = 0;
  const zx_status_t status = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
                                         vmo, 0, zxvp_heap_size, &address);
  zx_handle_close(vmo);
  if (status != ZX_OK) return;
  heap_start = heap_top = (char*)address;
  heap_end = heap_start + zxvp_heap_size;
}

void* sbrk(ptrdiff_t increment) {
  if (increment < 0 ? heap_top - heap_start < -increment : heap_end - heap_top < increment) {
    errno = ENOMEM;
    return (void*)-1;
  }
  char* previous = heap_top;
  heap_top += increment;
  return previous;
}

// --- Time: simulated time since the platform started ---

int gettimeofday(struct timeval* now, void* zone) {
  (void)zone;
  const zx_time_t nanoseconds = zx_clock_get_monotonic();
  now->tv_sec = (time_t)(nanoseconds / 1000000000);
  now->tv_usec = (suseconds_t)(nanoseconds % 1000000000 / 1000);
  return 0;
}

// clock() counts CLOCKS_PER_SEC (a million) a second of the process's time: the core's.
clock_t times(struct tms* buffer) {
  const clock_t now = (clock_t)(zx_clock_get_monotonic() / (1000000000 / CLOCKS_PER_SEC));
  if (buffer != NULL) {
    buffer->tms_utime = now;
    buffer->tms_stime = 0;
    buffer->tms_cutime = 0;
    buffer->tms_cstime = 0;
  }
  return now;
}

// Entropy, for arc4random: a fixed sequence, so that a run is the same every time.
int getentropy(void* buffer, size_t length) {
  static uint64_t state = 0x9e3779b97f4a7c15u;
  unsigned char* bytes = buffer;
  for (size_t i = 0; i < length; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    bytes[i] = (unsigned char)state;
  }
  return 0;
}
