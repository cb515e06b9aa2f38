// A real trace_pipe capture (Linux 6.18, runc 1.1.5, Docker 20.10) of a container started with
// `docker create` + `docker start` from a small image whose /entrypoint.sh runs /bin/true, id, /bin/true
// five times and then exec's /bin/sleep; host activity (dockerd, the docker CLI, bash) is interleaved.
// Lines from runc's fork of the container's init (host pid 28721) to the exec of /bin/sleep, plus the
// final exit when the container was removed. Used as a fixture by the parser and tree tests.

/** Host pid of the container's init in CONTAINER_START_TRACE (what inspect gave as State.Pid). */
export const CAPTURED_INIT_PID = 28721;

/** The captured lines, one event per line. */
export const CONTAINER_START_TRACE = `
  runc:[1:CHILD]-28720   (  28720) [001] .....  3236.347786: sched_process_fork: comm=runc:[1:CHILD] pid=28720 child_comm=runc:[1:CHILD] child_pid=28721
  runc:[1:CHILD]-28720   (  28720) [000] .....  3236.348193: sched_process_exit: comm=runc:[1:CHILD] pid=28720 prio=120 group_dead=true
 runc:[0:PARENT]-28719   (  28719) [000] .....  3236.348707: sched_process_exit: comm=runc:[0:PARENT] pid=28719 prio=120 group_dead=true
           sleep-28721   (  28721) [000] .....  3236.349954: sched_process_fork: comm=runc:[2:INIT] pid=28721 child_comm=runc:[2:INIT] child_pid=28722
           sleep-28721   (  28721) [000] .....  3236.350032: sched_process_fork: comm=runc:[2:INIT] pid=28721 child_comm=runc:[2:INIT] child_pid=28723
           sleep-28721   (  28721) [001] .....  3236.351369: sched_process_fork: comm=runc:[2:INIT] pid=28721 child_comm=runc:[2:INIT] child_pid=28724
   runc:[2:INIT]-28723   (  28721) [000] .....  3236.352501: sched_process_fork: comm=runc:[2:INIT] pid=28723 child_comm=runc:[2:INIT] child_pid=28725
           sleep-28721   (  28721) [000] .....  3236.352833: sched_process_fork: comm=runc:[2:INIT] pid=28721 child_comm=runc:[2:INIT] child_pid=28726
         dockerd-13002   (  12986) [001] .....  3236.361923: sched_process_fork: comm=dockerd pid=13002 child_comm=dockerd child_pid=28727
             exe-28727   (  28727) [001] .....  3236.362223: sched_process_exec: filename=/proc/self/exe pid=28727 old_pid=28727
            runc-28717   (  28708) [000] .....  3236.365995: sched_process_fork: comm=runc pid=28717 child_comm=runc child_pid=28728
             exe-28728   (  28728) [000] .....  3236.368252: sched_process_exec: filename=/proc/12986/exe pid=28728 old_pid=28728
             exe-28727   (  28727) [001] .....  3236.373387: sched_process_fork: comm=exe pid=28727 child_comm=exe child_pid=28729
             exe-28727   (  28727) [001] .....  3236.373487: sched_process_fork: comm=exe pid=28727 child_comm=exe child_pid=28730
             exe-28727   (  28727) [001] .....  3236.373547: sched_process_fork: comm=exe pid=28727 child_comm=exe child_pid=28731
             exe-28727   (  28727) [001] .....  3236.373763: sched_process_fork: comm=exe pid=28727 child_comm=exe child_pid=28732
             exe-28728   (  28728) [000] .....  3236.381373: sched_process_fork: comm=exe pid=28728 child_comm=exe child_pid=28733
             exe-28728   (  28728) [000] .....  3236.381463: sched_process_fork: comm=exe pid=28728 child_comm=exe child_pid=28734
             exe-28728   (  28728) [000] .....  3236.381512: sched_process_fork: comm=exe pid=28728 child_comm=exe child_pid=28735
             exe-28734   (  28728) [000] .....  3236.381692: sched_process_fork: comm=exe pid=28734 child_comm=exe child_pid=28736
             exe-28728   (  28728) [000] .....  3236.381839: sched_process_fork: comm=exe pid=28728 child_comm=exe child_pid=28737
             exe-28728   (  28728) [000] .....  3236.392472: sched_process_fork: comm=exe pid=28728 child_comm=exe child_pid=28738
             exe-28727   (  28727) [001] .....  3236.399959: sched_process_fork: comm=exe pid=28727 child_comm=exe child_pid=28739
             exe-28727   (  28727) [001] .....  3236.418200: sched_process_exit: comm=exe pid=28727 prio=120 group_dead=false
             exe-28730   (  28727) [001] .....  3236.418258: sched_process_exit: comm=exe pid=28730 prio=120 group_dead=false
             exe-28731   (  28727) [001] .....  3236.418281: sched_process_exit: comm=exe pid=28731 prio=120 group_dead=false
             exe-28739   (  28727) [001] .....  3236.418291: sched_process_exit: comm=exe pid=28739 prio=120 group_dead=false
             exe-28729   (  28727) [001] .....  3236.420079: sched_process_exit: comm=exe pid=28729 prio=120 group_dead=false
             exe-28732   (  28727) [001] .....  3236.420117: sched_process_exit: comm=exe pid=28732 prio=120 group_dead=true
         dockerd-12557   (  12986) [001] .....  3236.430109: sched_process_fork: comm=dockerd pid=12557 child_comm=dockerd child_pid=28740
             exe-28740   (  28740) [000] .....  3236.430419: sched_process_exec: filename=/proc/self/exe pid=28740 old_pid=28740
             exe-28740   (  28740) [000] .....  3236.442220: sched_process_fork: comm=exe pid=28740 child_comm=exe child_pid=28741
             exe-28740   (  28740) [000] .....  3236.442455: sched_process_fork: comm=exe pid=28740 child_comm=exe child_pid=28742
             exe-28740   (  28740) [000] .....  3236.442603: sched_process_fork: comm=exe pid=28740 child_comm=exe child_pid=28743
             exe-28740   (  28740) [000] .....  3236.442836: sched_process_fork: comm=exe pid=28740 child_comm=exe child_pid=28744
             exe-28740   (  28740) [000] .....  3236.445141: sched_process_fork: comm=exe pid=28740 child_comm=exe child_pid=28745
             exe-28740   (  28740) [000] .N...  3236.486653: sched_process_exit: comm=exe pid=28740 prio=120 group_dead=false
             exe-28742   (  28740) [000] .....  3236.486674: sched_process_exit: comm=exe pid=28742 prio=120 group_dead=false
             exe-28745   (  28740) [000] .....  3236.486691: sched_process_exit: comm=exe pid=28745 prio=120 group_dead=false
             exe-28744   (  28740) [000] .....  3236.486702: sched_process_exit: comm=exe pid=28744 prio=120 group_dead=false
             exe-28741   (  28740) [000] .....  3236.486712: sched_process_exit: comm=exe pid=28741 prio=120 group_dead=false
             exe-28743   (  28740) [000] .....  3236.486740: sched_process_exit: comm=exe pid=28743 prio=120 group_dead=true
             exe-28735   (  28728) [000] .N...  3236.491757: sched_process_exit: comm=exe pid=28735 prio=120 group_dead=false
             exe-28736   (  28728) [000] .....  3236.491778: sched_process_exit: comm=exe pid=28736 prio=120 group_dead=false
             exe-28738   (  28728) [000] .....  3236.491791: sched_process_exit: comm=exe pid=28738 prio=120 group_dead=false
             exe-28734   (  28728) [000] .....  3236.491801: sched_process_exit: comm=exe pid=28734 prio=120 group_dead=false
             exe-28728   (  28728) [000] .....  3236.491812: sched_process_exit: comm=exe pid=28728 prio=120 group_dead=false
             exe-28737   (  28728) [000] .....  3236.491823: sched_process_exit: comm=exe pid=28737 prio=120 group_dead=false
             exe-28733   (  28728) [001] .....  3236.492728: sched_process_exit: comm=exe pid=28733 prio=120 group_dead=true
            runc-28711   (  28708) [000] .....  3236.521322: sched_process_exit: comm=runc pid=28711 prio=120 group_dead=false
            runc-28715   (  28708) [001] .N...  3236.521329: sched_process_exit: comm=runc pid=28715 prio=120 group_dead=false
            runc-28713   (  28708) [000] .....  3236.521351: sched_process_exit: comm=runc pid=28713 prio=120 group_dead=false
            runc-28710   (  28708) [001] .....  3236.521352: sched_process_exit: comm=runc pid=28710 prio=120 group_dead=false
            runc-28712   (  28708) [001] .....  3236.521364: sched_process_exit: comm=runc pid=28712 prio=120 group_dead=false
            runc-28708   (  28708) [000] .....  3236.521364: sched_process_exit: comm=runc pid=28708 prio=120 group_dead=false
            runc-28716   (  28708) [001] .....  3236.521376: sched_process_exit: comm=runc pid=28716 prio=120 group_dead=false
            runc-28717   (  28708) [001] .....  3236.521388: sched_process_exit: comm=runc pid=28717 prio=120 group_dead=false
            runc-28718   (  28708) [001] .....  3236.521398: sched_process_exit: comm=runc pid=28718 prio=120 group_dead=false
            runc-28709   (  28708) [001] .....  3236.521420: sched_process_exit: comm=runc pid=28709 prio=120 group_dead=true
 containerd-shim-28707   (  28697) [000] .....  3236.530140: sched_process_fork: comm=containerd-shim pid=28707 child_comm=containerd-shim child_pid=28746
            runc-28746   (  28746) [001] .N...  3236.530477: sched_process_exec: filename=/usr/sbin/runc pid=28746 old_pid=28746
            runc-28746   (  28746) [001] .N...  3236.532048: sched_process_fork: comm=runc pid=28746 child_comm=runc child_pid=28747
            runc-28746   (  28746) [001] .....  3236.532159: sched_process_fork: comm=runc pid=28746 child_comm=runc child_pid=28748
            runc-28746   (  28746) [001] .....  3236.532227: sched_process_fork: comm=runc pid=28746 child_comm=runc child_pid=28749
            runc-28748   (  28746) [000] .....  3236.532451: sched_process_fork: comm=runc pid=28748 child_comm=runc child_pid=28750
            runc-28746   (  28746) [000] .N...  3236.532618: sched_process_fork: comm=runc pid=28746 child_comm=runc child_pid=28751
            runc-28748   (  28746) [000] .N...  3236.538263: sched_process_exit: comm=runc pid=28748 prio=120 group_dead=false
            runc-28747   (  28746) [000] .....  3236.538293: sched_process_exit: comm=runc pid=28747 prio=120 group_dead=false
            runc-28749   (  28746) [000] .....  3236.538306: sched_process_exit: comm=runc pid=28749 prio=120 group_dead=false
            runc-28750   (  28746) [000] .....  3236.538316: sched_process_exit: comm=runc pid=28750 prio=120 group_dead=false
            runc-28751   (  28746) [000] .....  3236.538327: sched_process_exit: comm=runc pid=28751 prio=120 group_dead=false
            runc-28746   (  28746) [000] .....  3236.538350: sched_process_exit: comm=runc pid=28746 prio=120 group_dead=true
   runc:[2:INIT]-28725   (  28721) [001] .....  3236.539835: sched_process_exit: comm=runc:[2:INIT] pid=28725 prio=120 group_dead=false
   runc:[2:INIT]-28724   (  28721) [001] .....  3236.539860: sched_process_exit: comm=runc:[2:INIT] pid=28724 prio=120 group_dead=false
   runc:[2:INIT]-28722   (  28721) [000] .....  3236.541463: sched_process_exit: comm=runc:[2:INIT] pid=28722 prio=120 group_dead=false
   runc:[2:INIT]-28723   (  28721) [000] .....  3236.541487: sched_process_exit: comm=runc:[2:INIT] pid=28723 prio=120 group_dead=false
   runc:[2:INIT]-28726   (  28721) [000] .N...  3236.541530: sched_process_exit: comm=runc:[2:INIT] pid=28726 prio=120 group_dead=false
           sleep-28721   (  28721) [001] .....  3236.542747: sched_process_exec: filename=/entrypoint.sh pid=28721 old_pid=28721
          docker-28680   (  28678) [000] .N...  3236.543106: sched_process_fork: comm=docker pid=28680 child_comm=docker child_pid=28752
          docker-28682   (  28678) [000] .....  3236.543449: sched_process_fork: comm=docker pid=28682 child_comm=docker child_pid=28753
          docker-28752   (  28678) [000] .....  3236.543526: sched_process_exit: comm=docker pid=28752 prio=120 group_dead=false
          docker-28753   (  28678) [001] .....  3236.543529: sched_process_exit: comm=docker pid=28753 prio=120 group_dead=false
          docker-28679   (  28678) [000] .....  3236.543561: sched_process_exit: comm=docker pid=28679 prio=120 group_dead=false
          docker-28680   (  28678) [000] .....  3236.543571: sched_process_exit: comm=docker pid=28680 prio=120 group_dead=false
          docker-28683   (  28678) [000] .....  3236.543581: sched_process_exit: comm=docker pid=28683 prio=120 group_dead=false
          docker-28681   (  28678) [000] .....  3236.543591: sched_process_exit: comm=docker pid=28681 prio=120 group_dead=false
          docker-28682   (  28678) [000] .....  3236.543601: sched_process_exit: comm=docker pid=28682 prio=120 group_dead=false
          docker-28678   (  28678) [000] .....  3236.543618: sched_process_exit: comm=docker pid=28678 prio=120 group_dead=true
           sleep-28721   (  28721) [000] .....  3236.545295: sched_process_fork: comm=entrypoint.sh pid=28721 child_comm=entrypoint.sh child_pid=28754
            true-28754   (  28754) [001] .....  3236.546477: sched_process_exec: filename=/bin/true pid=28754 old_pid=28754
            bash-28666   (  28666) [000] .....  3236.546915: sched_process_fork: comm=bash pid=28666 child_comm=bash child_pid=28755
            true-28754   (  28754) [001] .....  3236.546979: sched_process_exit: comm=true pid=28754 prio=120 group_dead=true
           sleep-28721   (  28721) [001] .....  3236.547216: sched_process_fork: comm=entrypoint.sh pid=28721 child_comm=entrypoint.sh child_pid=28756
          docker-28755   (  28755) [000] .....  3236.547489: sched_process_exec: filename=/usr/local/bin/docker pid=28755 old_pid=28755
              id-28756   (  28756) [001] .....  3236.547812: sched_process_exec: filename=/usr/bin/id pid=28756 old_pid=28756
          docker-28755   (  28755) [000] .N...  3236.549651: sched_process_fork: comm=docker pid=28755 child_comm=docker child_pid=28757
          docker-28755   (  28755) [000] .....  3236.549798: sched_process_fork: comm=docker pid=28755 child_comm=docker child_pid=28758
          docker-28755   (  28755) [000] .....  3236.549901: sched_process_fork: comm=docker pid=28755 child_comm=docker child_pid=28759
          docker-28755   (  28755) [000] .....  3236.550086: sched_process_fork: comm=docker pid=28755 child_comm=docker child_pid=28760
              id-28756   (  28756) [001] .....  3236.552958: sched_process_exit: comm=id pid=28756 prio=120 group_dead=true
           sleep-28721   (  28721) [001] .N...  3236.553711: sched_process_fork: comm=entrypoint.sh pid=28721 child_comm=entrypoint.sh child_pid=28761
            true-28761   (  28761) [001] .N...  3236.555393: sched_process_exec: filename=/bin/true pid=28761 old_pid=28761
            true-28761   (  28761) [001] .....  3236.556730: sched_process_exit: comm=true pid=28761 prio=120 group_dead=true
           sleep-28721   (  28721) [001] .....  3236.557757: sched_process_fork: comm=entrypoint.sh pid=28721 child_comm=entrypoint.sh child_pid=28762
          docker-28758   (  28755) [000] .....  3236.557772: sched_process_fork: comm=docker pid=28758 child_comm=docker child_pid=28763
            true-28762   (  28762) [001] .....  3236.562900: sched_process_exec: filename=/bin/true pid=28762 old_pid=28762
            true-28762   (  28762) [001] .....  3236.563475: sched_process_exit: comm=true pid=28762 prio=120 group_dead=true
           sleep-28721   (  28721) [001] .N...  3236.563801: sched_process_fork: comm=entrypoint.sh pid=28721 child_comm=entrypoint.sh child_pid=28764
            true-28764   (  28764) [001] .N...  3236.564066: sched_process_exec: filename=/bin/true pid=28764 old_pid=28764
            true-28764   (  28764) [001] .....  3236.564770: sched_process_exit: comm=true pid=28764 prio=120 group_dead=true
           sleep-28721   (  28721) [001] .....  3236.564944: sched_process_fork: comm=entrypoint.sh pid=28721 child_comm=entrypoint.sh child_pid=28765
            true-28765   (  28765) [001] .....  3236.565107: sched_process_exec: filename=/bin/true pid=28765 old_pid=28765
            true-28765   (  28765) [001] .....  3236.565751: sched_process_exit: comm=true pid=28765 prio=120 group_dead=true
           sleep-28721   (  28721) [001] .N...  3236.565898: sched_process_fork: comm=entrypoint.sh pid=28721 child_comm=entrypoint.sh child_pid=28766
            true-28766   (  28766) [001] .....  3236.566026: sched_process_exec: filename=/bin/true pid=28766 old_pid=28766
            true-28766   (  28766) [001] .....  3236.566666: sched_process_exit: comm=true pid=28766 prio=120 group_dead=true
           sleep-28721   (  28721) [001] .....  3236.567126: sched_process_exec: filename=/bin/sleep pid=28721 old_pid=28721
           sleep-28721   (  28721) [001] .N...  3237.121160: sched_process_exit: comm=sleep pid=28721 prio=120 group_dead=true
`;
