@echo off
rem gcnmon on Windows: runs gcnmon from the virtual environment of this checkout.
rem
rem Install once, in a Command Prompt in the checkout (Python 3.11 or newer from python.org):
rem     py -m venv .venv
rem     .venv\Scripts\python -m pip install -e .
rem   The alarm plays through QtMultimedia (PySide6-Addons) on Windows: no compiler needed.
rem
rem Use:
rem     packaging\windows\gcnmon.cmd               the monitor (= gcnmon run; Tel=... Host=... work too)
rem     packaging\windows\gcnmon.cmd demo          the offline demo
rem     packaging\windows\gcnmon.cmd history       the archive, for review
rem Start at login: Win+R, shell:startup, and put a shortcut to this file there (set "Run: Minimized"
rem so its console window stays out of the way; the monitor itself lives in the tray).
rem
rem What works on Windows: the GUI, VTP and GCN Kafka, the TCS drivers (HTTP/XML-RPC), the keyring
rem (Windows Credential Manager), the archive and log book under %LOCALAPPDATA%\gcnmon\gcnmon. Twisted runs
rem on qasync's selector loop there (gcnmon.bootstrap picks it: the default proactor loop has no
rem add_reader). The relay's systemd unit is Linux-only: run `gcnmon relay` as a scheduled task instead.
setlocal
set "GCNMON_HOME=%~dp0..\.."
set "GCNMON_EXE=%GCNMON_HOME%\.venv\Scripts\gcnmon.exe"
if not exist "%GCNMON_EXE%" (
    echo gcnmon is not installed in %GCNMON_HOME%\.venv: see the comments at the top of %~f0 1>&2
    exit /b 1
)
"%GCNMON_EXE%" %*
exit /b %ERRORLEVEL%
