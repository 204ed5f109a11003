@echo off
rem kit.cmd: the keysafe launcher on Windows (./kit is the same for POSIX shells).
rem Builds what is missing with the Maven wrapper, then runs the workshop CLI
rem (dev.keysafe.workshop.Kit). Needs only a JDK 17 or newer. Works from any directory:
rem modules run in YOUR working directory (see README.md).
setlocal EnableExtensions DisableDelayedExpansion

rem The checkout is where this script lives, not the caller's directory.
for %%i in ("%~dp0.") do set "ROOT=%%~fi"

rem A JDK 17+: from JAVA_HOME when set, else the first java on the PATH.
set "JAVA="
if defined JAVA_HOME if exist "%JAVA_HOME%\bin\java.exe" set "JAVA=%JAVA_HOME%\bin\java.exe"
if not defined JAVA for %%j in (java.exe) do if not "%%~$PATH:j"=="" set "JAVA=%%~$PATH:j"
if defined JAVA goto have_java
>&2 echo kit: no java found. Install a JDK 17 or newer (e.g. https://adoptium.net) and put it on the PATH or in JAVA_HOME.
exit /b 64
:have_java

set "JAVA_SAYS="
for /f "usebackq delims=" %%l in (`call "%JAVA%" -version 2^>^&1`) do if not defined JAVA_SAYS set "JAVA_SAYS=%%l"
set "JVER="
for /f "tokens=3" %%v in ('call "%JAVA%" -version 2^>^&1 ^| findstr /i /c:" version "') do if not defined JVER set "JVER=%%~v"
set "JMAJOR=0"
if defined JVER for /f "delims=.-+_" %%m in ("%JVER%") do set "JMAJOR=%%m"
if "%JMAJOR%"=="1" set "JMAJOR=8"
if %JMAJOR% GEQ 17 goto java_ok
>&2 echo kit: keysafe needs a JDK 17 or newer; %JAVA% says: %JAVA_SAYS%. Install one and set JAVA_HOME to it.
exit /b 64
:java_ok

rem Build when the launcher's output is missing, or any pom.xml or source is newer than it.
rem KIT_NO_BUILD=1 skips this check (tests that run the kit inside a Maven build set it).
set "STAMP=%ROOT%\workshop\target\classpath.txt"
set "STALE="
if defined KIT_NO_BUILD goto built
if not exist "%STAMP%" set "STALE=first run"
if defined STALE goto build
set "KIT_ROOT=%ROOT%"
set "KIT_STAMP=%STAMP%"
powershell -NoProfile -NonInteractive -Command "$s=(Get-Item -LiteralPath $env:KIT_STAMP).LastWriteTimeUtc; $n=Get-ChildItem -LiteralPath $env:KIT_ROOT -Recurse -File -ErrorAction SilentlyContinue | Where-Object { $_.FullName -notmatch '\\(target|\.git|labs-work|node_modules)\\' -and ($_.Name -eq 'pom.xml' -or $_.FullName -match '\\src\\') -and $_.LastWriteTimeUtc -gt $s } | Select-Object -First 1; if ($n) { exit 1 } else { exit 0 }"
if errorlevel 1 set "STALE=sources changed"
if not defined STALE goto built

:build
set "JAVAC_OK="
if defined JAVA_HOME if exist "%JAVA_HOME%\bin\javac.exe" set "JAVAC_OK=1"
if not defined JAVAC_OK for %%j in (javac.exe) do if not "%%~$PATH:j"=="" set "JAVAC_OK=1"
if defined JAVAC_OK goto javac_ok
>&2 echo kit: building the kit needs a JDK (javac), not only a Java runtime. Install a JDK 17+ and set JAVA_HOME.
exit /b 64
:javac_ok
>&2 echo kit: building keysafe (%STALE%): mvnw.cmd -q -DskipTests package: about 15-60 s on 2 cores, minutes the first time Maven downloads its libraries ...
pushd "%ROOT%"
call mvnw.cmd -q -DskipTests package 1>&2
set "BUILD_RC=%ERRORLEVEL%"
popd
if "%BUILD_RC%"=="0" goto touch
>&2 echo kit: the build failed (output above). Fix it, or run mvnw.cmd verify to see the tests.
exit /b 64
:touch
rem A build that writes nothing new must not leave the check stale forever.
copy /b "%STAMP%"+,, "%STAMP%" >nul
:built

set "JAR="
for %%f in ("%ROOT%\workshop\target\keysafe-workshop-*.jar") do set "JAR=%%~ff"
set "CP="
if exist "%STAMP%" for /f "usebackq delims=" %%c in ("%STAMP%") do set "CP=%%c"
if defined JAR if exist "%STAMP%" goto run
>&2 echo kit: the launcher is not built: run mvnw.cmd -q -DskipTests package in %ROOT%.
exit /b 64
:run
"%JAVA%" -Dkeysafe.home="%ROOT%" -cp "%JAR%;%CP%" dev.keysafe.workshop.Kit %*
exit /b %ERRORLEVEL%
