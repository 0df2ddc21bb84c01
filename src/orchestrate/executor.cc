#include "orchestrate/executor.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

namespace meteoflow {
namespace {

std::map<std::string, std::string> ContextEnv(const TaskContext& c) {
  return {{"MF_DAG_ID", c.dag_id},
          {"MF_TASK_ID", c.task_id},
          {"MF_RUN_ID", c.run_id},
          {"MF_LOGICAL_DATE", c.logical_date.ToString()},
          {"MF_INTERVAL_START", c.interval.start.ToString()},
          {"MF_INTERVAL_END", c.interval.end.ToString()},
          {"MF_TRY_NUMBER", std::to_string(c.try_number)},
          {"MF_CONF", c.conf}};
}

void AppendLog(const std::string& path, Timestamp now, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  out << now.ToString() << " " << line << "\n";
}

}  // namespace

Status RunChild(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                const std::string& log_path, int timeout_seconds, const std::function<void(int64_t)>& on_start) {
  std::vector<std::string> environment;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (!env.count(entry.substr(0, entry.find('=')))) environment.push_back(entry);
  }
  for (const auto& [k, v] : env) environment.push_back(k + "=" + v);
  // posix_spawn (vfork-like: no copy of this process's pages) into a process group of its own,
  // stdin from /dev/null, stdout and stderr appended to the log.
  posix_spawn_file_actions_t files;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&files);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, args[0], &files, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return Status::IOError("cannot start " + argv[0] + ": " + std::strerror(err));
  on_start(pid);
  const auto started = std::chrono::steady_clock::now();
  int status = 0;
  bool timed_out = false;
  auto elapsed = [&] { return std::chrono::steady_clock::now() - started; };
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return Status::IOError(std::string("waitpid: ") + std::strerror(errno));
    if (timeout_seconds > 0 && !timed_out && elapsed() > std::chrono::seconds(timeout_seconds)) {
      timed_out = true;
      kill(-pid, SIGTERM);
    }
    if (timed_out && elapsed() > std::chrono::seconds(timeout_seconds + 5)) kill(-pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(elapsed() < std::chrono::milliseconds(50) ? 1 : 20));
  }
  if (timed_out) {
    return Status::Cancelled("timed out: killed after its execution timeout of " + std::to_string(timeout_seconds) +
                             " s");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::OK();
  if (WIFSIGNALED(status)) return Status::Internal("killed by signal " + std::to_string(WTERMSIG(status)));
  return Status::Internal("exited with status " + std::to_string(WEXITSTATUS(status)));
}

Status LocalExecutor::RunInProcess(const TaskConfig& task, const TaskContext& context) {
  auto fn = stages_.find(task.stage);
  if (fn == stages_.end()) return Status::InvalidArgument("no stage '" + task.stage + "' in this process");
  std::lock_guard<std::mutex> lock(stage_mu_);
  AppendLog(context.log_path, clock_.Now(),
            "stage " + task.stage + " starts (try " + std::to_string(context.try_number) + ")");
  const auto started = std::chrono::steady_clock::now();
  Status s = fn->second(context);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  AppendLog(context.log_path, clock_.Now(),
            "stage " + task.stage + " ends after " + std::to_string(seconds) + " s: " + s.ToString());
  if (s.ok() && task.execution_timeout_seconds > 0 && seconds > task.execution_timeout_seconds) {
    return Status::Cancelled("timed out: ran " + std::to_string(seconds) + " s, past its execution timeout of " +
                             std::to_string(task.execution_timeout_seconds) + " s");
  }
  return s;
}

Status LocalExecutor::Execute(const TaskConfig& task, const TaskContext& context,
                              const std::function<void(int64_t)>& on_start) {
  if (!task.command.empty()) {
    return RunChild({"/bin/sh", "-c", task.command}, ContextEnv(context), context.log_path,
                    task.execution_timeout_seconds, on_start);
  }
  if (!subprocess_stages_ || self_.argv.empty()) {
    on_start(0);
    return RunInProcess(task, context);
  }
  // `meteoflow tasks run DAG TASK --date D` then the shared options given by the caller.
  std::vector<std::string> full = {
      self_.argv[0], "tasks", "run", context.dag_id, context.task_id, "--date", context.logical_date.ToString()};
  full.insert(full.end(), self_.argv.begin() + 1, self_.argv.end());
  return RunChild(full, ContextEnv(context), context.log_path, task.execution_timeout_seconds, on_start);
}

}  // namespace meteoflow
